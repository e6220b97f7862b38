/**
 * Download (RFC 8555 §7.4.2): the certificate chain the CA gives by default and every chain it
 * links with `rel="alternate"`, enrolled in the catalog as one certificate with several chains
 * (the default first). The key is found by the certificate's own public key, so a download
 * after a crash between finalize and its record still finds it.
 */
import { assertStepAllowed } from '../../domain/acme-order/steps.js';
import { AcmeTransportError, linkUrls, splitPemCertificateChain, type AcmeResponse } from '../../infra/acme/index.js';
import { ids } from '../../infra/ids.js';
import { parseCertificate, parseCertificates } from '../../infra/x509/certificate.js';
import { parsePrivateKey } from '../../infra/x509/private-key.js';
import type { AcmeSession } from '../acme/session.js';
import { importCertificate } from '../certificate/import-certificate.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { loadOrder, runOrderStep, stepRun, type StepRun } from './order-stream.js';

async function getChain(session: AcmeSession, url: string): Promise<{ pems: string[]; response: AcmeResponse }> {
  const response = await session.transport.post(url, '', session.signer, { kind: 'getCertificate' });
  if (typeof response.body !== 'string') throw new AcmeTransportError('protocol', 'POST', url, 'the certificate download is not a PEM chain (RFC 8555 §9.1)');
  return { pems: splitPemCertificateChain(response.body), response };
}

export async function downloadCertificate(deps: AcmeOrderDeps, orderId: string, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  assertStepAllowed(order, 'download');
  const certificateUrl = order.certificateUrl!;
  const session = await deps.acme.open(order.accountId);
  const recorded = await runOrderStep(deps, orderId, 'download', async () => {
    const primary = await getChain(session, certificateUrl);
    const alternateUrls = linkUrls(primary.response.links, 'alternate');
    const alternates = await Promise.all(alternateUrls.map((url) => getChain(session, url)));
    const certificate = parseCertificate(primary.pems[0]!);
    const chains = [primary, ...alternates]
      // Each download is the same leaf through another path; one that is not is not this order's.
      .filter((download) => download.pems[0] === primary.pems[0] && download.pems.length > 1)
      .map((download) => parseCertificates(download.pems.slice(1).join('')));
    if (chains.length === 0) throw new AcmeTransportError('protocol', 'POST', certificateUrl, 'the CA sent the certificate without its chain');
    const privateKeyId = ids.privateKey(certificate.spkiSha256);
    const privateKey = parsePrivateKey(await deps.vault.get(privateKeyId));
    const imported = await importCertificate(deps, { certificate, privateKey, chains, isExpired: new Date(certificate.notAfter) < deps.now() }, context);
    return {
      value: imported,
      facts: [{ kind: 'downloaded', certificateId: imported.certificateId, certificateUrl, alternateUrls, caChainIds: imported.caChainIds }],
    };
  }, context);
  return stepRun('download', recorded);
}
