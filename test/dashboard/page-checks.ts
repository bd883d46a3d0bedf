/** Checks the dashboard's browser tests run in the page. */

/**
 * Run in the page (as source text: the tests compile without the DOM's types). Controls are named by
 * their labels, aria-label or (buttons and links) their text.
 */
export const UNLABELLED_OR_UNFOCUSABLE = `[...document.querySelectorAll('input, select, textarea, button, a[href]')]
  .filter((el) => el.getClientRects().length > 0)
  .flatMap((el) => {
    const field = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName);
    const name = [...(el.labels ?? [])].map((l) => l.textContent).join('') + (el.getAttribute('aria-label') ?? '') + (field ? '' : el.textContent);
    const problems = [];
    if (!name.trim()) problems.push('no accessible name: ' + el.outerHTML.slice(0, 120));
    if (el.tabIndex < 0) problems.push('not reachable by keyboard: ' + el.outerHTML.slice(0, 120));
    return problems;
  })`;

export const PAINTED_CANVASES = `[...document.querySelectorAll('canvas')].filter((canvas) => {
  if (!canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
  return false;
}).length`;
