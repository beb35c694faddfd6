// Asks before anything that moves machinery, with the native modal <dialog> (focus trapped,
// Escape cancels, focus goes back to the button that opened it).

export async function confirmAction(dialog: HTMLDialogElement, title: string, text: string, confirmLabel: string): Promise<boolean> {
  const titleEl = dialog.querySelector('#confirm-title');
  const textEl = dialog.querySelector('#confirm-text');
  const ok = dialog.querySelector('#confirm-ok');
  if (titleEl) titleEl.textContent = title;
  if (textEl) textEl.textContent = text;
  if (ok) ok.textContent = confirmLabel;
  dialog.returnValue = '';
  return new Promise<boolean>((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
  });
}
