import { createHash } from 'node:crypto';

/**
 * The guest pages' one stylesheet, inlined in a `<style>` element: the pages load nothing from
 * anywhere (`default-src 'none'`), and the CSP admits exactly this text by its hash instead of
 * `'unsafe-inline'`, so an injected `<style>` (or `style=` attribute) would not apply.
 *
 * Colours meet WCAG AA on their backgrounds (text #172b4d on white 14:1, muted #505f79 6.4:1,
 * the button's white on #0052cc 6.8:1, the error's #ae2a19 on #ffeceb 5.9:1, field borders 4.5:1). The layout is one
 * column that narrows to the screen, so it reads on a 360 px phone and at 200 % zoom.
 */
export const GUEST_PAGE_STYLE = [
  'html{-webkit-text-size-adjust:100%}',
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;background:#f4f5f7;color:#172b4d;margin:0;padding:1.5rem .75rem}',
  'main{max-width:34rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px rgba(9,30,66,.25);overflow-wrap:anywhere}',
  'h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}',
  'h2{font-size:1.1rem;margin:1.5rem 0 .5rem}',
  'label{display:block;margin:1rem 0 .25rem;font-weight:600}',
  '.hint{display:block;font-weight:400;color:#505f79;font-size:.95rem}',
  'input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #6b778c;border-radius:4px;font-size:1.1rem}',
  'input:focus,button:focus,a:focus{outline:3px solid #4c9aff;outline-offset:2px}',
  'button{margin-top:1.25rem;background:#0052cc;color:#fff;border:0;border-radius:4px;padding:.75rem 1.5rem;font-size:1rem;font-weight:600;cursor:pointer;min-height:44px}',
  'button:hover{background:#0747a6}',
  'a{color:#0052cc}',
  'ol,ul{padding-left:1.4rem}li{margin:.35rem 0}',
  '.muted{color:#505f79;font-size:.95rem}',
  '.error{background:#ffeceb;color:#ae2a19;border-left:4px solid #ae2a19;border-radius:4px;padding:.6rem .8rem}',
  '.message{margin:.5rem 0 0;padding:.75rem 1rem;border-left:4px solid #0052cc;background:#f4f5f7;white-space:pre-line}',
  '.qr svg{display:block;width:13rem;max-width:100%;height:auto;margin:1rem auto}',
  '.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.15rem;letter-spacing:.05em;word-spacing:.4em;background:#f4f5f7;padding:.5rem .75rem;border-radius:4px;user-select:all}',
  '.brand{max-width:34rem;margin:0 auto .75rem;color:#505f79;font-weight:600}',
].join('\n');

/** The CSP source that admits `GUEST_PAGE_STYLE` and nothing else. */
export const GUEST_PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(GUEST_PAGE_STYLE, 'utf8').digest('base64')}'`;
