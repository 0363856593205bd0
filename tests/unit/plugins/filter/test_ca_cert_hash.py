import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter.ca_cert_hash import FilterModule, ca_cert_hash


def test_filter_is_registered():
    assert FilterModule().filters() == {'ca_cert_hash': ca_cert_hash}


@pytest.mark.parametrize('key_type', ['rsa2048', 'rsa4096', 'ecdsa-p256', 'ecdsa-p384'])
def test_filter_matches_openssl(openssl_ca, key_type):
    assert ca_cert_hash(openssl_ca[key_type]['cert']) == openssl_ca[key_type]['expected']


def test_filter_bundle_and_bytes(openssl_ca):
    bundle = (openssl_ca['rsa4096']['cert'] + openssl_ca['ecdsa-p384']['cert']).encode()
    assert ca_cert_hash(bundle) == openssl_ca['rsa4096']['expected']


@pytest.mark.parametrize('name', ['key', 'csr'])
def test_filter_rejects_non_certificates(openssl_ca, name):
    with pytest.raises(AnsibleFilterError, match='ca_cert_hash: no CERTIFICATE PEM block'):
        ca_cert_hash(openssl_ca['rsa2048'][name])


def test_filter_rejects_garbage():
    with pytest.raises(AnsibleFilterError, match='no PEM block'):
        ca_cert_hash('hello')
