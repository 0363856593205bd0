"""plugins/plugin_utils/etcd.py: the etcd member of a kubeadm manifest, snapshot status, names and retention.

No test reads the clock: every time is written out.
"""

import datetime
import json

import pytest
import yaml
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import (
    EtcdError,
    backup_name,
    backups_to_prune,
    endpoint_health,
    endpoint_slug,
    etcd_member,
    find_member,
    member_id,
    member_list,
    quorum,
    removal_quorum,
    snapshot_status,
    url_host,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

UTC = datetime.timezone.utc
MANIFEST = 'kubeadm-1.34-etcd-manifest-reconstructed.txt'
TAKEN = datetime.datetime(2026, 12, 2, 5, 31, 37, tzinfo=UTC)


@pytest.fixture
def manifest():
    return yaml.safe_load(read_fixture(MANIFEST))


def etcd_container(manifest):
    return manifest['spec']['containers'][0]


# The member a restore recreates.

def test_member_of_the_kubeadm_manifest():
    assert etcd_member(read_fixture(MANIFEST)) == {
        'name': 'cp1',
        'peer_urls': ['https://192.168.77.11:2380'],
        'initial_cluster': 'cp1=https://192.168.77.11:2380',
        'client_url': 'https://127.0.0.1:2379',
        'metrics_url': 'http://127.0.0.1:2381',
        'data_dir': '/var/lib/etcd',
        'data_dir_host': '/var/lib/etcd',
        'trusted_ca_file': '/etc/kubernetes/pki/etcd/ca.crt',
        'image': '192.168.77.1:5000/google_containers/etcd:3.6.5-0',
    }


def test_member_from_the_parsed_manifest_and_from_bytes(manifest):
    assert etcd_member(manifest)['name'] == 'cp1'
    assert etcd_member(read_fixture(MANIFEST).encode())['name'] == 'cp1'


def test_flags_as_separate_arguments_and_in_args(manifest):
    container = etcd_container(manifest)
    container['command'] = ['etcd', '--name', 'cp9', '--data-dir', '/data/etcd/']
    container['args'] = ['--initial-advertise-peer-urls=https://[fd00::9]:2380,https://10.0.0.9:2380',
                         '--listen-client-urls=https://[::]:2379', '--trusted-ca-file=/pki/ca.crt']
    container['volumeMounts'][0]['mountPath'] = '/data/etcd'
    manifest['spec']['volumes'][1]['hostPath']['path'] = '/srv/etcd'
    member = etcd_member(manifest)
    assert member['name'] == 'cp9'
    assert member['initial_cluster'] == 'cp9=https://[fd00::9]:2380,cp9=https://10.0.0.9:2380'
    assert member['client_url'] == 'https://[::1]:2379'
    assert member['data_dir'] == '/data/etcd'
    assert member['data_dir_host'] == '/srv/etcd'
    assert member['metrics_url'] is None


def test_a_wildcard_client_address_becomes_the_loopback_one(manifest):
    etcd_container(manifest)['command'][10] = '--listen-client-urls=https://0.0.0.0:2379'
    assert etcd_member(manifest)['client_url'] == 'https://127.0.0.1:2379'


def test_no_host_path_at_the_data_dir(manifest):
    etcd_container(manifest)['volumeMounts'][0]['mountPath'] = '/elsewhere'
    assert etcd_member(manifest)['data_dir_host'] is None


@pytest.mark.parametrize('flag', ['name', 'data-dir', 'initial-advertise-peer-urls', 'listen-client-urls',
                                  'trusted-ca-file'])
def test_a_missing_flag_is_named(manifest, flag):
    container = etcd_container(manifest)
    container['command'] = [arg for arg in container['command'] if not arg.startswith('--%s=' % flag)]
    with pytest.raises(EtcdError, match='has no --%s: not a manifest kubeadm wrote' % flag):
        etcd_member(manifest)


@pytest.mark.parametrize('document,message', [
    ('a: [b', 'not YAML'),
    ('kind: Deployment', 'kind Pod'),
    ('kind: Pod\nspec: {containers: [{name: kube-apiserver}]}', 'no container named etcd'),
])
def test_not_an_etcd_manifest(document, message):
    with pytest.raises(EtcdError, match=message):
        etcd_member(document)


# etcdutl snapshot status --write-out json

def test_snapshot_status_of_etcd_3_6():
    assert snapshot_status(read_fixture('etcdutl-3.6-snapshot-status-json-reconstructed.txt')) == {
        'hash': 3062713946, 'revision': 48213, 'total_keys': 1187, 'total_size': 7086080, 'version': '3.6.0'}


def test_snapshot_status_after_a_warning_and_without_a_version():
    status = snapshot_status(read_fixture('etcdctl-3.5-snapshot-status-json-reconstructed.txt'))
    assert status['revision'] == 9021 and status['version'] is None


def test_snapshot_status_parsed():
    assert snapshot_status({'hash': 1, 'revision': 2, 'totalKey': 3, 'totalSize': 4})['total_size'] == 4


@pytest.mark.parametrize('output,message', [
    ('', 'no JSON object with a revision'),
    ('Error: snapshot file integrity check failed', 'no JSON object with a revision'),
    ('{"hash": 1}', 'no JSON object with a revision'),
    ('{"hash":1,"revision":"12","totalKey":3,"totalSize":4}', 'revision is .12., expected a whole number'),
    ('{"hash":1,"revision":12,"totalKey":true,"totalSize":4}', 'totalKey is True'),
    ('{"hash":1,"revision":0,"totalKey":0,"totalSize":0}', 'not a snapshot of a running etcd'),
])
def test_snapshot_status_refuses_what_is_not_a_snapshot(output, message):
    with pytest.raises(EtcdError, match=message):
        snapshot_status(output)


# Names and retention: the time is an input.

@pytest.mark.parametrize('endpoint,slug', [
    ('192.168.0.100:16443', '192.168.0.100_16443'),
    ('[fd00::1]:6443', '_fd00_1_6443'),
    (' api.example.com:6443 ', 'api.example.com_6443'),
])
def test_endpoint_slug(endpoint, slug):
    assert endpoint_slug(endpoint) == slug


@pytest.mark.parametrize('when', [
    TAKEN,
    datetime.datetime(2026, 12, 2, 5, 31, 37),  # now(utc=true) is naive
    '2026-12-02T05:31:37Z',
    '2026-12-02T06:31:37.250+01:00',
    datetime.datetime(2026, 12, 2, 13, 31, 37, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
])
def test_backup_name_is_in_utc(when):
    assert backup_name('192.168.0.100:16443', when) == 'etcd-192.168.0.100_16443-20261202T053137Z.db'


@pytest.mark.parametrize('endpoint,when,message', [
    ('', TAKEN, 'endpoint is empty'),
    ('192.168.0.100:16443', '2026-12-02T05:31:37', 'no time zone'),
    ('192.168.0.100:16443', 'yesterday', 'not an RFC 3339 time'),
])
def test_backup_name_bad_input(endpoint, when, message):
    with pytest.raises(EtcdError, match=message):
        backup_name(endpoint, when)


def names(count, endpoint='192.168.0.100:16443'):
    return ['/b/' + backup_name(endpoint, TAKEN - datetime.timedelta(hours=hours)) for hours in range(count)]


def test_prune_keeps_the_newest_whatever_the_order():
    files = names(5)
    shuffled = [files[3], files[0], files[4], files[1], files[2]]
    assert backups_to_prune(shuffled, '192.168.0.100:16443', 3) == [files[4], files[3]]


def test_prune_takes_find_results_and_returns_them():
    files = [{'path': path, 'size': 10} for path in names(3)]
    assert backups_to_prune(files, '192.168.0.100:16443', 2) == [files[2]]


def test_prune_leaves_other_files_and_other_clusters_alone():
    ours = names(3)
    strangers = ['/b/notes.txt', '/b/etcd-192.168.0.100_16443-latest.db',
                 '/b/etcd-192.168.0.100_16443-20261202T053137Z.db.part']
    others = names(4, endpoint='10.0.0.1:6443') + strangers
    assert backups_to_prune(others + ours, '192.168.0.100:16443', 1) == [ours[2], ours[1]]


def test_prune_with_fewer_snapshots_than_kept():
    assert backups_to_prune(names(2), '192.168.0.100:16443', 10) == []
    assert backups_to_prune([], '192.168.0.100:16443', 1) == []


@pytest.mark.parametrize('keep,message', [(0, 'at least 1'), (-1, 'at least 1'), ('ten', 'whole number')])
def test_prune_refuses_a_retention_that_deletes_everything(keep, message):
    with pytest.raises(EtcdError, match=message):
        backups_to_prune(names(2), '192.168.0.100:16443', keep)


def test_prune_refuses_entries_without_a_path():
    with pytest.raises(EtcdError, match='path key'):
        backups_to_prune([{'name': 'x'}], '192.168.0.100:16443', 1)


def test_fixture_is_one_json_line():
    line = read_fixture('etcdutl-3.6-snapshot-status-json-reconstructed.txt').strip()
    assert json.loads(line)['totalKey'] == 1187


# Membership: the member list, member health and the quorum arithmetic of a removal.

MEMBERS = 'etcdctl-3.6-member-list-json-reconstructed.txt'
HEALTH = 'etcdctl-3.6-endpoint-health-cluster-json-reconstructed.txt'
CP1, CP2, CP3 = '8e9e05c52164694d', '1556a64b11e29d63', 'ec5ddc2ac3e58143'


def member(name, number, learner=False, started=True):
    address = '192.168.77.%d' % (20 + number)
    return {'id': '%x' % (0x1000 + number), 'name': name if started else '', 'peer_urls': ['https://%s:2380' % address],
            'client_urls': ['https://%s:2379' % address] if started else [], 'learner': learner}


def healthy(*members, down=()):
    return {url: ('context deadline exceeded' if entry['name'] in down else '')
            for entry in members for url in entry['client_urls']}


def test_member_list_of_etcdctl():
    members = member_list(read_fixture(MEMBERS))
    assert members[1] == {'id': CP1, 'name': 'cp1', 'peer_urls': ['https://192.168.77.21:2380'],
                          'client_urls': ['https://192.168.77.21:2379'], 'learner': False}
    assert [entry['id'] for entry in members] == [CP2, CP1, CP3]


def test_member_ids_beyond_double_precision_stay_exact():
    # 17032011442018419011 > 2**53: a float would round it and member remove would name no member.
    assert member_id(17032011442018419011) == CP3
    assert member_id('EC5DDC2AC3E58143') == CP3
    assert member_id('00ff') == 'ff'


@pytest.mark.parametrize('value', [0, -1, 2 ** 64, True, 'cp1', '', None, '0'])
def test_member_id_refuses_what_is_no_id(value):
    with pytest.raises(EtcdError):
        member_id(value)


def test_member_list_parses_a_dict_a_learner_and_an_unstarted_member():
    listing = {'members': [{'ID': 1, 'name': 'cp1', 'peerURLs': ['https://10.0.0.1:2380'], 'clientURLs': ['https://10.0.0.1:2379']},
                           {'ID': 2, 'peerURLs': ['https://10.0.0.2:2380'], 'isLearner': True}]}
    members = member_list(listing)
    assert members[1] == {'id': '2', 'name': '', 'peer_urls': ['https://10.0.0.2:2380'], 'client_urls': [],
                          'learner': True}


@pytest.mark.parametrize('output,message', [
    ('', 'no JSON object'),
    ('Error: context deadline exceeded', 'no JSON object'),
    ('{"header": {}}', 'with members'),
    ('{"members": []}', 'no member'),
    ('{"members": [{"name": "cp1"}]}', 'without an ID'),
])
def test_member_list_refuses_other_output(output, message):
    with pytest.raises(EtcdError, match=message):
        member_list(output)


def test_endpoint_health_of_etcdctl_after_a_warning_line():
    assert endpoint_health(read_fixture(HEALTH)) == {
        'https://192.168.77.21:2379': '',
        'https://192.168.77.22:2379': '',
        'https://192.168.77.23:2379': 'context deadline exceeded',
    }


@pytest.mark.parametrize('output', ['', '{"endpoint": "x"}', '[{"health": true}]'])
def test_endpoint_health_refuses_other_output(output):
    with pytest.raises(EtcdError):
        endpoint_health(output)


@pytest.mark.parametrize('url,host', [
    ('https://192.168.77.21:2380', '192.168.77.21'),
    ('https://[fd00::11]:2380', 'fd00::11'),
    ('https://cp1.example', 'cp1.example'),
])
def test_url_host(url, host):
    assert url_host(url) == host


def test_find_member_by_name_then_by_peer_address():
    members = member_list(read_fixture(MEMBERS))
    assert find_member(members, 'cp3')['id'] == CP3
    unstarted = member('', 4, started=False)
    assert find_member(members + [unstarted], 'cp4', ['192.168.77.24']) is unstarted
    assert find_member(members, 'w1', ['192.168.77.24', '']) is None


@pytest.mark.parametrize('voters,needed', [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3)])
def test_quorum(voters, needed):
    assert quorum(voters) == needed


def test_removing_a_dead_member_of_three_keeps_quorum():
    members = member_list(read_fixture(MEMBERS))
    cp3 = find_member(members, 'cp3')
    counts = removal_quorum(members, endpoint_health(read_fixture(HEALTH)), cp3)
    assert counts == {'voters': 3, 'healthy': 2, 'voters_after': 2, 'healthy_after': 2, 'quorum_after': 2,
                      'unhealthy': ['cp3 (context deadline exceeded)'], 'refusal': ''}


def test_removing_a_healthy_member_while_another_is_down_is_refused():
    members = member_list(read_fixture(MEMBERS))
    counts = removal_quorum(members, endpoint_health(read_fixture(HEALTH)), find_member(members, 'cp2'))
    assert (counts['healthy_after'], counts['quorum_after']) == (1, 2)
    assert counts['refusal'] == ('removing cp2 would leave 1 healthy of 2 etcd members, below their quorum of 2 '
                                 '(cp3 (context deadline exceeded))')


def test_no_removal_without_quorum_now():
    # Two members, one dead: the one left would have quorum alone, but the removal itself needs both.
    cp1, cp2 = member('cp1', 1), member('cp2', 2)
    counts = removal_quorum([cp1, cp2], healthy(cp1, cp2, down=['cp2']), cp2)
    assert counts['healthy_after'] == counts['quorum_after'] == 1
    assert counts['refusal'].startswith('etcd has lost its quorum: 1 of 2 members healthy, 2 needed')


def test_a_learner_does_not_vote_and_an_unstarted_member_is_unhealthy():
    voters = [member('cp1', 1), member('cp2', 2), member('cp3', 3)]
    learner, unstarted = member('cp4', 4, learner=True), member('', 5, started=False)
    counts = removal_quorum(voters + [learner], healthy(*voters), learner)
    assert (counts['voters'], counts['voters_after'], counts['refusal']) == (3, 3, '')
    counts = removal_quorum(voters + [unstarted], healthy(*voters), unstarted)
    assert counts['unhealthy'] == ['unstarted member 1005 (never started)']
    assert (counts['voters_after'], counts['healthy_after'], counts['refusal']) == (3, 3, '')


def test_a_member_missing_from_endpoint_health_is_unhealthy():
    cp1, cp2, cp3 = member('cp1', 1), member('cp2', 2), member('cp3', 3)
    counts = removal_quorum([cp1, cp2, cp3], healthy(cp1, cp2), cp3)
    assert counts['unhealthy'] == ['cp3 (no answer (not in endpoint health))']
