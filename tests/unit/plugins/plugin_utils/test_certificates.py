"""plugins/plugin_utils/certificates.py on kubeadm's recorded check-expiration output."""

import datetime
import json

import pytest
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.certificates import (
    CertificateReportError,
    certificate_report,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import fixture_path

UTC = datetime.timezone.utc
# The fixture was recorded right after the certificates were made: 2026-12-02T05:31:37Z.
MADE = datetime.datetime(2026, 12, 2, 5, 31, 37, tzinfo=UTC)


@pytest.fixture(scope='module')
def recorded():
    with open(fixture_path('kubeadm-1.34-certs-check-expiration-json-recorded.json')) as handle:
        return handle.read()


def by_name(rows):
    return {row['name']: row for row in rows}


def test_fresh_pki(recorded):
    rows = by_name(certificate_report(recorded, MADE))
    assert rows['apiserver'] == {'name': 'apiserver', 'kind': 'certificate', 'ca': 'ca',
                                 'expires': '2027-12-02T05:31:37Z', 'days_left': 365, 'status': 'ok'}
    assert rows['ca']['kind'] == 'authority' and rows['ca']['days_left'] == 3650  # kubeadm's ten years are 3650 days
    assert rows['admin.conf']['status'] == 'missing' and rows['admin.conf']['expires'] is None
    assert rows['apiserver-etcd-client']['ca'] == 'etcd-ca'


def test_a_year_later_the_leaf_certificates_expired_and_the_cas_did_not(recorded):
    later = MADE + datetime.timedelta(days=366)
    rows = by_name(certificate_report(recorded, later))
    assert rows['apiserver']['status'] == 'expired' and rows['apiserver']['days_left'] < 0
    assert rows['front-proxy-ca']['status'] == 'ok'


def test_within_the_warning_window_asks_for_renewal(recorded):
    rows = by_name(certificate_report(recorded, MADE + datetime.timedelta(days=340), warn_days=30))
    assert rows['apiserver']['status'] == 'renew' and rows['apiserver']['days_left'] == 25
    rows = by_name(certificate_report(recorded, MADE + datetime.timedelta(days=340), warn_days=20))
    assert rows['apiserver']['status'] == 'ok'


def test_now_as_an_rfc3339_string_and_parsed_input(recorded):
    rows = certificate_report(json.loads(recorded), '2026-12-02T05:31:37Z')
    assert by_name(rows)['apiserver']['days_left'] == 365


def test_a_naive_datetime_is_utc_as_ansible_now_utc_gives_it(recorded):
    naive = datetime.datetime(2026, 12, 2, 5, 31, 37)
    assert by_name(certificate_report(recorded, naive))['apiserver']['days_left'] == 365


def test_externally_managed_is_reported_as_such():
    output = {'kind': 'CertificateExpirationInfo', 'certificates': [
        {'name': 'apiserver', 'expirationDate': '2027-01-01T00:00:00Z', 'externallyManaged': True, 'missing': False}]}
    assert certificate_report(output, MADE)[0]['status'] == 'external'


@pytest.mark.parametrize('output,now,message', [
    ('CERTIFICATE  EXPIRES', MADE, 'not the JSON'),
    ('{"kind": "Other"}', MADE, 'CertificateExpirationInfo'),
    ('{"kind": "CertificateExpirationInfo"}', '2026-12-02T05:31:37', 'no time zone'),
    ('{"kind": "CertificateExpirationInfo"}', 'yesterday', 'not an RFC 3339 time'),
])
def test_bad_input(output, now, message):
    with pytest.raises(CertificateReportError, match=message):
        certificate_report(output, now)
