/**
 * HTML by tagged template: every interpolated value is escaped unless it is already `Html`
 * (built by this tag or `raw`). Arrays are joined; null, undefined and false render nothing.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Renderable = Html | string | number | bigint | boolean | null | undefined | readonly Renderable[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function render(value: Renderable): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Renderable[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i] as Renderable) + strings[i + 1]!;
  return new Html(out);
}

/** Markup we wrote ourselves (never user input). */
export const raw = (markup: string): Html => new Html(markup);

export const join = (items: readonly Renderable[], separator: Renderable = ''): Html =>
  new Html(items.map(render).join(render(separator)));
