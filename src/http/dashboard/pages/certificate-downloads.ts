/**
 * Links to the API's own download routes (the dashboard session may GET them). The file names
 * are the ones the route accepts: every part × extension that its parser (parseDownloadName,
 * isViaChainDownload) lets through, so a format added there shows up here.
 */
import { isViaChainDownload, parseDownloadName } from '../../downloads.js';
import { html, type Html } from '../html.js';

const PARTS = ['cert', 'chain', 'fullchain', 'privkey'] as const;
const EXTENSIONS = ['pem', 'pem.txt', 'cer', 'crt', 'der', 'key'] as const;

const PART_LABELS: Record<(typeof PARTS)[number], string> = {
  cert: 'Certificate', chain: 'Chain (selected)', fullchain: 'Full chain (certificate + selected chain)', privkey: 'Private key',
};

const filesOf = (part: string, accepts: (file: string) => boolean): string[] =>
  EXTENSIONS.map((extension) => `${part}.${extension}`).filter(accepts);

const links = (prefix: string, files: string[]): Html => html`${files.map((file, i) => html`${i > 0 ? ' · ' : ''}<a href="${prefix}/${file}" download>${file}</a>`)}`;

const api = (certificateId: string) => `/api/v1/certificates/${certificateId}`;

/** Every format of every part, the key's apart: it is the one secret, so it is named as such. */
export function downloadsSection(certificateId: string): Html {
  const prefix = api(certificateId);
  const accepts = (file: string) => parseDownloadName(file) !== null;
  const rows = PARTS.filter((part) => part !== 'privkey').map((part) => html`<dt>${PART_LABELS[part]}</dt><dd>${links(prefix, filesOf(part, accepts))}</dd>`);
  return html`<dl class="facts downloads">${rows}
<dt>JSON</dt><dd><a href="${prefix}">certificate</a> · <a href="${prefix}/parse.json">parse.json</a> · <a href="${prefix}/config.json?idonly=1">config.json (ids only)</a></dd></dl>
<h3>With the private key</h3>
<p class="hint">These hold the private key in the clear: download them only to install the certificate.</p>
<dl class="facts downloads-secret"><dt>${PART_LABELS.privkey}</dt><dd>${links(prefix, filesOf('privkey', accepts))}</dd>
<dt>peter_sslers config</dt><dd><a href="${prefix}/config.json" download>config.json</a></dd></dl>`;
}

const DER = /\.(cer|crt|der)$/;

/** The certificate served through one of its chains: the via-chain routes (DER only for a one-certificate chain, as the route answers). */
export function viaChainLinks(certificateId: string, chainId: string, chainLength: number): Html {
  const prefix = `${api(certificateId)}/via-chain/${chainId}`;
  const files = ['chain', 'fullchain'].flatMap((part) => filesOf(part, isViaChainDownload)).filter((file) => chainLength === 1 || !DER.test(file));
  return links(prefix, files);
}
