"""Fixtures shared by the filter, module_utils and module tests."""

import shutil
import subprocess

import pytest

KEY_TYPES = {
    'rsa2048': ['-newkey', 'rsa:2048'],
    'rsa4096': ['-newkey', 'rsa:4096'],
    'ecdsa-p256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    'ecdsa-p384': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
}


def _openssl(*args, **kwargs):
    return subprocess.run(['openssl'] + list(args), check=True, capture_output=True, **kwargs).stdout


@pytest.fixture(scope='session')
def openssl_ca(tmp_path_factory):
    """Self-signed CA certificates made by the openssl CLI, with openssl's own SPKI hash.

    Returns a dict key type -> dict(cert=PEM text, key=PEM text, csr=PEM text, expected='sha256:...').
    """
    if shutil.which('openssl') is None:
        pytest.fail('the openssl CLI is required for the CA hash tests')
    directory = tmp_path_factory.mktemp('ca')
    result = {}
    for name, newkey in KEY_TYPES.items():
        key = str(directory / (name + '.key'))
        cert = str(directory / (name + '.crt'))
        csr = str(directory / (name + '.csr'))
        _openssl('req', '-x509', *newkey, '-nodes', '-keyout', key, '-out', cert, '-days', '2',
                 '-subj', '/CN=kubernetes-%s' % name)
        _openssl('req', '-new', '-key', key, '-out', csr, '-subj', '/CN=node')
        pubkey = _openssl('x509', '-pubkey', '-noout', '-in', cert)
        # openssl rsa -pubin handles RSA only; openssl pkey covers RSA and ECDSA.
        der = _openssl('pkey', '-pubin', '-outform', 'der', input=pubkey)
        digest = _openssl('dgst', '-sha256', '-hex', input=der).decode().strip().split()[-1]
        if name.startswith('rsa'):
            rsa_der = _openssl('rsa', '-pubin', '-outform', 'der', input=pubkey)
            assert rsa_der == der
        with open(cert) as handle:
            cert_pem = handle.read()
        with open(key) as handle:
            key_pem = handle.read()
        with open(csr) as handle:
            csr_pem = handle.read()
        result[name] = dict(cert=cert_pem, key=key_pem, csr=csr_pem, expected='sha256:' + digest, path=cert)
    return result
