/**
 * Forms post the API's own field names, are parsed by the API's own schemas and commands, and
 * show the API's validation errors next to each field (aria-invalid + aria-describedby). A form
 * answered with errors keeps what was typed (never a private key: file fields are not echoed).
 */
import type { Request } from 'express';
import { silentLogger } from '../../infra/logger.js';
import { errorAnswer } from '../errors.js';
import { html, type Html } from './html.js';

export type FormState = {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** The whole request's error (an ACME problem, a conflict). */
  message?: string;
};

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/**
 * The same mapping as the API: status, message and per-field errors of whatever the command threw.
 * A failure of our own (500) is not the form's fault: it is thrown on to the error page, which logs it once.
 */
export function formFailure(error: unknown, req: Request, values: Record<string, string>): { status: number; state: FormState } {
  const answer = errorAnswer(error, silentLogger, req);
  if (answer.status === 500) throw error;
  return { status: answer.status, state: { values, errors: answer.body.form_errors ?? {}, message: answer.body.message } };
}

/** Text fields of a urlencoded body (repeated fields: the first). */
export function formValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!body || typeof body !== 'object') return out;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === '_csrf') continue;
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') out[name] = value[0];
  }
  return out;
}

/** Lines of a textarea (names, contacts), trimmed, blanks dropped. */
export const lines = (text: string | undefined): string[] => (text ?? '').split(/[\r\n,]+/).map((s) => s.trim()).filter((s) => s.length > 0);

/** Error keys equal to one of `names` or under it (`contact.0` is under `contact`): for `errorsFrom`. */
export const errorsLike = (state: FormState, ...names: string[]): string[] =>
  Object.keys(state.errors).filter((key) => names.some((n) => key === n || key.startsWith(`${n}.`)));

type FieldOptions = {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'number' | 'url' | 'password' | 'file' | 'textarea' | 'select' | 'checkbox';
  hint?: string;
  required?: boolean;
  /** select options: value → label. */
  options?: [string, string][];
  rows?: number;
  /** Other field names whose API errors belong here (e.g. `identifiers` for a names box). */
  errorsFrom?: string[];
};

export function field(state: FormState, o: FieldOptions): Html {
  const id = `f-${o.name}`;
  const error = [o.name, ...(o.errorsFrom ?? [])].map((n) => state.errors[n]).find((e) => e !== undefined);
  const value = state.values[o.name] ?? '';
  const described = [o.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const attrs = html`id="${id}" name="${o.name}"${o.required ? html` required` : ''}${error ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}`;
  let control: Html;
  switch (o.type ?? 'text') {
    case 'textarea':
      control = html`<textarea ${attrs} rows="${o.rows ?? 4}">${value}</textarea>`;
      break;
    case 'select':
      control = html`<select ${attrs}>${(o.options ?? []).map(([v, label]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${label}</option>`)}</select>`;
      break;
    case 'checkbox':
      control = html`<input type="checkbox" ${attrs} value="true"${value === 'true' || value === 'on' ? html` checked` : ''}>`;
      break;
    case 'file':
      control = html`<input type="file" ${attrs}>`;
      break;
    default:
      control = html`<input type="${o.type ?? 'text'}" ${attrs} value="${value}">`;
  }
  return html`<div class="field${error ? ' field-error' : ''}"><label for="${id}">${o.label}${o.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
${control}${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}${error ? html`<p class="error" id="${id}-error">${error}</p>` : ''}</div>`;
}

/** At the top of a refused form: the request's message and each field error linked to its field. */
export function errorSummary(state: FormState): Html {
  const fields = Object.entries(state.errors);
  if (!state.message && fields.length === 0) return html``;
  return html`<div class="error-summary" role="alert"><h2>The form was not accepted</h2>${state.message ? html`<p>${state.message}</p>` : ''}${fields.length > 0 ? html`<ul>${fields.map(([name, text]) => html`<li><a href="#f-${name}">${name}</a>: ${text}</li>`)}</ul>` : ''}</div>`;
}
