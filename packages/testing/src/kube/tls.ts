import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

/** PEM material for the server and the CA clients must trust. */
export interface TlsMaterial {
  caCert: string;
  /** The CA's private key, to sign client certificates. */
  caKey: string;
  serverCert: string;
  serverKey: string;
}

/** A client certificate and its key, PEM. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

// Node's native key generation is far faster than forge's pure-JS one.
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    pem: privateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey),
  };
}

/**
 * Signs with Node's crypto instead of forge's pure-JS RSA (seconds under
 * Jest): forge builds the TBS certificate, feeds it to this recording
 * digest, and the "key" signs the recorded bytes natively.
 */
function nativeSign(cert: forge.pki.Certificate, privateKeyPem: string) {
  let data = '';
  const md = {
    algorithm: 'sha256',
    update(bytes: string) {
      data += bytes;
      return md;
    },
  };
  const key = {
    sign: () =>
      sign('sha256', Buffer.from(data, 'binary'), privateKeyPem).toString(
        'binary',
      ),
  };
  cert.sign(
    key as unknown as forge.pki.rsa.PrivateKey,
    md as unknown as forge.md.MessageDigest,
  );
}

function baseCert(publicKey: forge.pki.PublicKey, days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // DER wants a positive INTEGER without a redundant leading zero byte
  // (OpenSSL refuses one as "illegal padding"): first byte 0x40-0x7f.
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x3f) | 0x40;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

/**
 * Generates a fresh CA and a server certificate signed by it, valid for
 * `localhost`, `127.0.0.1` and `::1`, like a kubeadm API server cert.
 */
export function generateTls(): TlsMaterial {
  const ca = keyPair();
  const caCert = baseCert(ca.publicKey, 30);
  const caName = [{ name: 'commonName', value: 'kubernetes-double-ca' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    {
      name: 'keyUsage',
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: true,
      critical: true,
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  nativeSign(caCert, ca.pem);

  const server = keyPair();
  const cert = baseCert(server.publicKey, 30);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes' },
        { type: 2, value: 'kubernetes.default.svc' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  nativeSign(cert, ca.pem);

  return {
    caCert: forge.pki.certificateToPem(caCert),
    caKey: ca.pem,
    serverCert: forge.pki.certificateToPem(cert),
    serverKey: server.pem,
  };
}

/**
 * Issues a client certificate signed by the cluster CA, as kubeadm does for
 * an admin kubeconfig: the common name is the user, organizations are groups.
 */
export function issueClientCertificate(
  tls: TlsMaterial,
  user: string,
  groups: string[] = [],
): ClientCertificate {
  const ca = forge.pki.certificateFromPem(tls.caCert);
  const client = keyPair();
  const cert = baseCert(client.publicKey, 30);
  cert.setSubject([
    ...groups.map(value => ({ name: 'organizationName', value })),
    { name: 'commonName', value: user },
  ]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  nativeSign(cert, tls.caKey);
  return { cert: forge.pki.certificateToPem(cert), key: client.pem };
}
