# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate helpers shared by the ca_cert_hash filter and the modules.

Only the standard library is used: the filter runs on any controller and the
modules on bare nodes, where the cryptography package is often missing.
"""

import base64
import binascii
import hashlib
import re

_PEM_BLOCK_RE = re.compile(
    r'-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----',
    re.DOTALL,
)

_TAG_INTEGER = 0x02
_TAG_BIT_STRING = 0x03
_TAG_SEQUENCE = 0x30
_TAG_EXPLICIT_0 = 0xA0


class CertificateError(ValueError):
    """Raised when the input is not a usable X.509 certificate."""


def _to_text(data):
    if isinstance(data, bytes):
        try:
            return data.decode('ascii')
        except UnicodeDecodeError:
            raise CertificateError('the input is bytes but not ASCII PEM text (DER input is not supported)') from None
    if not isinstance(data, str):
        raise CertificateError('expected PEM text (str or bytes), got %s' % type(data).__name__)
    return data


def first_certificate_der(pem):
    """Return the DER bytes of the first CERTIFICATE block in ``pem``."""
    text = _to_text(pem)
    other_labels = []
    for match in _PEM_BLOCK_RE.finditer(text):
        label, body, end_label = match.group(1), match.group(2), match.group(3)
        if label != 'CERTIFICATE':
            other_labels.append(label)
            continue
        if end_label != label:
            raise CertificateError('PEM block BEGIN %s ends with END %s' % (label, end_label))
        compact = re.sub(r'\s+', '', body)
        if not compact:
            raise CertificateError('the CERTIFICATE PEM block is empty')
        try:
            return base64.b64decode(compact.encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise CertificateError('the CERTIFICATE PEM block is not valid base64: %s' % exc) from exc
    if other_labels:
        raise CertificateError(
            'no CERTIFICATE PEM block found, only: %s (pass the CA certificate, e.g. /etc/kubernetes/pki/ca.crt)'
            % ', '.join(sorted(set(other_labels)))
        )
    raise CertificateError('no PEM block found (expected "-----BEGIN CERTIFICATE-----")')


def _read_tlv(data, offset, end, what):
    """Read one DER element at ``offset``; return (tag, content_start, element_end)."""
    if offset + 2 > end:
        raise CertificateError('truncated DER: %s is missing' % what)
    tag = bytearray(data[offset:offset + 1])[0]
    if tag & 0x1F == 0x1F:
        raise CertificateError('unsupported DER: multi-byte tag in %s' % what)
    first = bytearray(data[offset + 1:offset + 2])[0]
    pos = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0:
            raise CertificateError('invalid DER: indefinite length in %s' % what)
        if count > 4:
            raise CertificateError('invalid DER: length of %s does not fit in 4 bytes' % what)
        if pos + count > end:
            raise CertificateError('truncated DER: length of %s is cut off' % what)
        length = 0
        for byte in bytearray(data[pos:pos + count]):
            length = (length << 8) | byte
        pos += count
    if pos + length > end:
        raise CertificateError('truncated DER: %s claims %d bytes, only %d left' % (what, length, end - pos))
    return tag, pos, pos + length


def _expect(data, offset, end, tag, what):
    actual, start, stop = _read_tlv(data, offset, end, what)
    if actual != tag:
        raise CertificateError(
            'not an X.509 certificate: expected tag 0x%02x for %s, found 0x%02x' % (tag, what, actual)
        )
    return start, stop


def subject_public_key_info(der):
    """Return the raw DER TLV of the SubjectPublicKeyInfo inside a certificate."""
    if not der:
        raise CertificateError('empty DER data')
    total = len(der)
    cert_start, cert_end = _expect(der, 0, total, _TAG_SEQUENCE, 'Certificate')
    if cert_end != total:
        raise CertificateError('invalid DER: %d trailing bytes after the Certificate' % (total - cert_end))

    tbs_start, tbs_end = _expect(der, cert_start, cert_end, _TAG_SEQUENCE, 'tbsCertificate')
    sig_alg_start, sig_alg_end = _expect(der, tbs_end, cert_end, _TAG_SEQUENCE, 'signatureAlgorithm')
    dummy, sig_end = _expect(der, sig_alg_end, cert_end, _TAG_BIT_STRING, 'signatureValue')
    if sig_end != cert_end:
        raise CertificateError('not an X.509 certificate: extra elements after signatureValue')

    pos = tbs_start
    tag, dummy, stop = _read_tlv(der, pos, tbs_end, 'tbsCertificate version')
    if tag == _TAG_EXPLICIT_0:
        pos = stop
    for tag, what in (
        (_TAG_INTEGER, 'serialNumber'),
        (_TAG_SEQUENCE, 'signature'),
        (_TAG_SEQUENCE, 'issuer'),
        (_TAG_SEQUENCE, 'validity'),
        (_TAG_SEQUENCE, 'subject'),
    ):
        dummy, pos = _expect(der, pos, tbs_end, tag, what)

    spki_start, spki_end = _expect(der, pos, tbs_end, _TAG_SEQUENCE, 'subjectPublicKeyInfo')
    alg_start, alg_end = _expect(der, spki_start, spki_end, _TAG_SEQUENCE, 'subjectPublicKeyInfo algorithm')
    dummy, key_end = _expect(der, alg_end, spki_end, _TAG_BIT_STRING, 'subjectPublicKey')
    if key_end != spki_end:
        raise CertificateError('not an X.509 certificate: extra elements in subjectPublicKeyInfo')
    return der[pos:spki_end]


def ca_cert_hash(pem):
    """Return ``sha256:<hex>`` of the certificate's SubjectPublicKeyInfo, as kubeadm pins it."""
    spki = subject_public_key_info(first_certificate_der(pem))
    return 'sha256:' + hashlib.sha256(spki).hexdigest()
