// Payload shapes: specs/devicecloud.md §C — DataPoint per digidotcom/python-devicecloud @ 4940d6f (monitor.py docs)
// and digidotcom/aws-monitor-consumer @ 308592d (README sample with streamType), FileData per madglory/device_cloud
// @ 519975a (spec/device_cloud/push_notification/message_spec.rb: replay, group "*", base64 fdData).
import { deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { normalizeDocument } from './events.js';
import { decodeDocument, inflateCapped, parseDocument } from './payload.js';

describe('document normalisation', () => {
  it('FileData push with replay, group and base64 data, as object and as array', () => {
    const msg = {
      timestamp: '2014-02-12T15:19:34.000Z',
      topic: '4044/FileData/db/4044_MadGlory_Interactive/00000000-00000000-00409DFF-FF4A0A9C/event.json',
      operation: 'INSERTION',
      group: '*',
      replay: true,
      FileData: {
        id: { fdPath: '/db/4044_MadGlory_Interactive/00000000-00000000-00409DFF-FF4A0A9C/', fdName: 'event.json' },
        cstId: 4044,
        fdType: 'event',
        fdContentType: 'application/json',
        fdSize: 545,
        fdData: Buffer.from('{"a":1}').toString('base64'),
        fdArchive: false,
        fdCreatedDate: '2014-02-12T15:19:34.000Z',
        fdLastModifiedDate: '2014-02-12T15:19:34.000Z',
      },
    };
    const [one] = normalizeDocument({ Document: { Msg: msg } });
    expect(one).toMatchObject({ type: 'FileData', replay: true, group: '*', operation: 'INSERTION' });
    expect(one?.type === 'FileData' && Buffer.from(one.payload.fdData!, 'base64').toString()).toBe('{"a":1}');
    expect(normalizeDocument({ Document: { Msg: [msg, msg] } })).toHaveLength(2);
  });

  it('XML DeviceCore and DataPoint values are converted to numbers and booleans', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Document>' +
      '<Msg topic="1654/DeviceCore/6283/0" operation="update" timestamp="2012-04-17T14:14:07.028Z" group="*">' +
      '<DeviceCore><id><devId>6283</devId><devVersion>0</devVersion></id><devConnectwareId>00000000-00000000-00409DFF-FF458726</devConnectwareId>' +
      '<cstId>1654</cstId><grpId>1654</grpId><devTerminated>false</devTerminated><dpConnectionStatus>1</dpConnectionStatus></DeviceCore></Msg>' +
      '<Msg topic="7603/DataPoint/test" operation="create" timestamp="t"><DataPoint><id>u</id><cstId>7603</cstId><streamId>test</streamId>' +
      '<data>42</data><streamType>INTEGER</streamType><timestamp>1403714190000</timestamp><serverTimestamp>1403714190123</serverTimestamp><quality>0</quality></DataPoint></Msg>' +
      '<Msg topic="7603/DataPoint/s" operation="create" timestamp="t"><DataPoint><data>0042</data><streamType>STRING</streamType></DataPoint></Msg>' +
      '</Document>';
    const events = parseDocument(Buffer.from(xml), 'xml');
    expect(events.map((e) => e.payload)).toEqual([
      { id: { devId: 6283, devVersion: 0 }, devConnectwareId: '00000000-00000000-00409DFF-FF458726', cstId: 1654, grpId: 1654, devTerminated: false, dpConnectionStatus: 1 },
      { id: 'u', cstId: 7603, streamId: 'test', data: 42, streamType: 'INTEGER', timestamp: 1403714190000, serverTimestamp: 1403714190123, quality: 0 },
      { data: '0042', streamType: 'STRING' },
    ]);
    expect(events[0]).toMatchObject({ type: 'DeviceCore', operation: 'update', group: '*', replay: false });
  });

  it('keeps other resources raw and tolerates empty keep-alive documents', () => {
    expect(normalizeDocument({ Document: { Msg: { topic: '00000/alert_status/41826/x', operation: 'UPDATE', timestamp: 't', AlertStatus: { id: 1 } } } })).toEqual([
      { topic: '00000/alert_status/41826/x', operation: 'UPDATE', timestamp: 't', replay: false, type: 'other', resource: 'AlertStatus', payload: { id: 1 } },
    ]);
    expect(normalizeDocument({ Document: { Msg: { topic: '1/Job/2', operation: 'UPDATE', timestamp: 't' } } })[0]).toMatchObject({ type: 'other', resource: 'Job', payload: undefined });
    expect(normalizeDocument({ Document: '' })).toEqual([]);
    expect(normalizeDocument({ Document: {} })).toEqual([]);
    expect(parseDocument(Buffer.from('<Document/>'), 'xml')).toEqual([]);
  });

  it('bad documents are typed errors with a preview', () => {
    expect(() => normalizeDocument({ nope: 1 }, 'raw')).toThrow(expect.objectContaining({ code: 'BAD_DOCUMENT', rawPreview: 'raw' }));
    expect(() => normalizeDocument({ Document: 5 })).toThrow(/not an object/);
    expect(() => normalizeDocument({ Document: { Msg: [1] } })).toThrow(/Msg entry/);
    expect(() => parseDocument(Buffer.from('<Document><Msg>'), 'xml')).toThrow(expect.objectContaining({ code: 'BAD_DOCUMENT' }));
  });

  it('inflate: zlib, raw deflate fallback, output cap, size checks', () => {
    const doc = Buffer.from(JSON.stringify({ Document: { Msg: { topic: '1/DataPoint/a', operation: 'INSERTION', timestamp: 't', DataPoint: { data: 1 } } } }));
    expect(inflateCapped(deflateSync(doc))).toEqual(doc);
    expect(inflateCapped(deflateRawSync(doc))).toEqual(doc);
    expect(() => inflateCapped(deflateSync(Buffer.alloc(10_000)), 1000)).toThrow(expect.objectContaining({ code: 'INFLATED_TOO_LARGE' }));
    expect(() => inflateCapped(deflateSync(doc).subarray(0, 10))).toThrow(expect.objectContaining({ code: 'BAD_COMPRESSION' }));
    expect(() => decodeDocument(doc, 'none', 'json', 10)).toThrow(expect.objectContaining({ code: 'DOCUMENT_TOO_LARGE' }));
    expect(decodeDocument(deflateSync(doc), 'zlib', 'json')[0]).toMatchObject({ type: 'DataPoint', payload: { data: 1 } });
  });
});
