import base64

import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils.pki import (
    CertificateError,
    ca_cert_hash,
    first_certificate_der,
    subject_public_key_info,
)

KEY_TYPES = ['rsa2048', 'rsa4096', 'ecdsa-p256', 'ecdsa-p384']


@pytest.mark.parametrize('key_type', KEY_TYPES)
def test_hash_matches_openssl(openssl_ca, key_type):
    assert ca_cert_hash(openssl_ca[key_type]['cert']) == openssl_ca[key_type]['expected']


@pytest.mark.parametrize('key_type', KEY_TYPES)
def test_bytes_input(openssl_ca, key_type):
    assert ca_cert_hash(openssl_ca[key_type]['cert'].encode('ascii')) == openssl_ca[key_type]['expected']


def test_hashes_differ_between_keys(openssl_ca):
    assert len({openssl_ca[name]['expected'] for name in KEY_TYPES}) == len(KEY_TYPES)


def test_bundle_first_certificate_wins(openssl_ca):
    bundle = openssl_ca['ecdsa-p256']['cert'] + openssl_ca['rsa2048']['cert']
    assert ca_cert_hash(bundle) == openssl_ca['ecdsa-p256']['expected']
    reverse = openssl_ca['rsa2048']['cert'] + openssl_ca['ecdsa-p256']['cert']
    assert ca_cert_hash(reverse) == openssl_ca['rsa2048']['expected']


def test_key_before_certificate_is_skipped(openssl_ca):
    # ca.crt/ca.key concatenated the wrong way round: the certificate is still found.
    text = openssl_ca['rsa2048']['key'] + openssl_ca['rsa2048']['cert']
    assert ca_cert_hash(text) == openssl_ca['rsa2048']['expected']


def test_crlf_and_surrounding_text(openssl_ca):
    text = 'subject=CN = kubernetes\r\n' + openssl_ca['ecdsa-p384']['cert'].replace('\n', '\r\n') + 'trailer\r\n'
    assert ca_cert_hash(text) == openssl_ca['ecdsa-p384']['expected']


def test_spki_is_a_sequence_inside_the_der(openssl_ca):
    der = first_certificate_der(openssl_ca['rsa2048']['cert'])
    spki = subject_public_key_info(der)
    assert spki[0:1] == b'\x30'
    assert spki in der


@pytest.mark.parametrize('text, message', [
    ('', 'no PEM block'),
    ('just some text', 'no PEM block'),
    ('-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n', 'empty'),
    ('-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n', 'base64'),
    ('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'truncated'),
    ('-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % base64.b64encode(b'\x02\x01\x05').decode(),
     'expected tag 0x30'),
])
def test_invalid_input(text, message):
    with pytest.raises(CertificateError, match=message):
        ca_cert_hash(text)


def test_private_key_is_rejected(openssl_ca):
    with pytest.raises(CertificateError, match='only: PRIVATE KEY'):
        ca_cert_hash(openssl_ca['rsa2048']['key'])


def test_csr_is_rejected(openssl_ca):
    with pytest.raises(CertificateError, match='only: CERTIFICATE REQUEST'):
        ca_cert_hash(openssl_ca['ecdsa-p256']['csr'])


def test_csr_relabelled_as_certificate_is_rejected(openssl_ca):
    csr = openssl_ca['rsa2048']['csr'].replace('CERTIFICATE REQUEST', 'CERTIFICATE')
    with pytest.raises(CertificateError, match='not an X.509 certificate'):
        ca_cert_hash(csr)


def test_truncated_der_is_rejected(openssl_ca):
    der = first_certificate_der(openssl_ca['rsa2048']['cert'])
    cut = base64.b64encode(der[:200]).decode()
    with pytest.raises(CertificateError, match='truncated'):
        ca_cert_hash('-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % cut)


def test_trailing_garbage_is_rejected(openssl_ca):
    der = first_certificate_der(openssl_ca['rsa2048']['cert']) + b'\x00\x00'
    text = '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % base64.b64encode(der).decode()
    with pytest.raises(CertificateError, match='trailing bytes'):
        ca_cert_hash(text)


def test_indefinite_length_is_rejected():
    body = base64.b64encode(b'\x30\x80\x00\x00').decode()
    text = '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % body
    with pytest.raises(CertificateError, match='indefinite length'):
        ca_cert_hash(text)


def test_mismatched_end_label(openssl_ca):
    text = openssl_ca['rsa2048']['cert'].replace('END CERTIFICATE', 'END CERTIFICATE X', 1)
    with pytest.raises(CertificateError):
        ca_cert_hash(text)


@pytest.mark.parametrize('value', [None, 42, b'\xff\xfe'])
def test_wrong_types(value):
    with pytest.raises(CertificateError):
        ca_cert_hash(value)
