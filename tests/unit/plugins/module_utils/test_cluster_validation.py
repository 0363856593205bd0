"""Unit tests for plugins/module_utils/cluster_validation.py (inventory checks and node preflight)."""

import copy

import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils import cluster_validation as cv

DEFAULTS = {
    'cluster_kubernetes_version': '1.34.4',
    'cluster_container_runtime': 'docker',
    'cluster_image_repository': 'registry.k8s.io',
    'cluster_pod_subnet': '10.244.0.0/16',
    'cluster_service_subnet': '10.96.0.0/12',
    'cluster_dns_domain': 'cluster.local',
    'cluster_control_plane_endpoint_address': '',
    'cluster_control_plane_endpoint_port': 6443,
    'cluster_apiserver_bind_port': 6443,
    'cluster_insecure_registries': [],
    'cluster_registry_mirrors': {},
    'cluster_fail_cgroup_v1': True,
    'cluster_node_subnet': '',
    'calico_ipv4pool_cidr': '',
    'cluster_supported_kubernetes_minors': ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35'],
}


def single():
    """The tutorials' lab: 1 control plane + 2 workers."""
    return {
        'settings': copy.deepcopy(DEFAULTS),
        'groups': {
            'all': ['k8s-master', 'k8s-worker1', 'k8s-worker2'],
            'ungrouped': [],
            'kube_control_plane': ['k8s-master'],
            'kube_workers': ['k8s-worker1', 'k8s-worker2'],
        },
        'hosts': {
            'k8s-master': {'cluster_node_ip': '192.168.1.11'},
            'k8s-worker1': {'cluster_node_ip': '192.168.1.12'},
            'k8s-worker2': {'cluster_node_ip': '192.168.1.13'},
        },
    }


def ha():
    """The tutorials' HA cluster: 3 control planes, 2 workers, haproxy + keepalived on two masters."""
    data = {
        'settings': copy.deepcopy(DEFAULTS),
        'groups': {
            'all': ['master01', 'master02', 'master03', 'worker01', 'worker02'],
            'kube_control_plane': ['master01', 'master02', 'master03'],
            'kube_workers': ['worker01', 'worker02'],
            'kube_lb': ['master01', 'master02'],
        },
        'hosts': {},
    }
    for index, host in enumerate(data['groups']['all']):
        data['hosts'][host] = {'cluster_node_ip': '192.168.0.%d' % (10 + index)}
    data['settings'].update({
        'cluster_control_plane_endpoint_address': '192.168.0.100',
        'cluster_control_plane_endpoint_port': 16443,
        'cluster_node_subnet': '192.168.0.0/24',
        'haproxy_keepalived_auth_pass_length': 8,
    })
    return data


def test_ha_needs_a_vrrp_password_of_at_most_8_characters():
    for length in (0, 9):
        data = ha()
        data['settings']['haproxy_keepalived_auth_pass_length'] = length
        found = problems_of(data)
        assert len(found) == 1 and found[0].startswith('haproxy_keepalived_auth_pass:'), found
    single_cluster = single()
    single_cluster['settings']['haproxy_keepalived_auth_pass_length'] = 0
    assert problems_of(single_cluster) == []


def problems_of(data):
    return cv.inventory_problems(data)


def test_good_inventories_pass():
    assert problems_of(single()) == []
    assert problems_of(ha()) == []


def test_good_variants_pass():
    data = ha()
    data['settings'].update({'calico_ipv4pool_cidr': '10.244.0.0/16', 'calico_ipv4pool_block_size': 24,
                             'cluster_container_runtime': 'containerd',
                             'cluster_registry_mirrors': {'docker.io': ['https://mirror.example']},
                             'cluster_insecure_registries': ['192.168.0.5:5000'],
                             'cluster_control_plane_endpoint_port': '16443'})
    assert problems_of(data) == []
    data = single()
    data['settings']['cluster_control_plane_endpoint_address'] = 'api.example.internal'
    assert problems_of(data) == []
    data = single()
    data['settings']['cluster_control_plane_endpoint_address'] = '192.168.1.11'
    assert problems_of(data) == []


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return mutate


def _rename(old, new):
    def mutate(data):
        for members in data['groups'].values():
            members[:] = [new if host == old else host for host in members]
        data['hosts'][new] = data['hosts'].pop(old)
    return mutate


def _drop_cp(data):
    data['groups']['kube_control_plane'].remove('master03')
    data['groups']['all'].remove('master03')
    del data['hosts']['master03']


def _four_cps(data):
    data['groups']['kube_control_plane'].append('master04')
    data['groups']['all'].append('master04')
    data['hosts']['master04'] = {'cluster_node_ip': '192.168.0.20'}


def _endpoint(address, port):
    def mutate(data):
        data['settings'].update({'cluster_control_plane_endpoint_address': address,
                                 'cluster_control_plane_endpoint_port': port})
    return mutate


def _calico(pool, block):
    def mutate(data):
        data['settings'].update({'calico_ipv4pool_cidr': pool, 'calico_ipv4pool_block_size': block})
    return mutate


def _no_cp(data):
    data['groups']['kube_control_plane'] = []
    data['groups']['all'].remove('k8s-master')
    del data['hosts']['k8s-master']


def _both_groups(data):
    data['groups']['kube_workers'].append('k8s-master')


def _orphan(data):
    data['groups']['all'].append('bastion')
    data['groups']['ungrouped'] = ['bastion']
    data['hosts']['bastion'] = {'cluster_node_ip': '192.168.1.99'}


def _undefined_member(data):
    data['groups']['kube_lb'].append('ghost')


# (name, base, mutation, substrings every problem must contain, number of problems)
CASES = [
    ('underscore', single, _rename('k8s-worker1', 'k8s_worker1'), ["kube_workers host k8s_worker1", "'_'"], 1),
    ('upper case', single, _rename('k8s-worker1', 'K8s-Worker1'), ['inventory_hostname', 'upper case'], 1),
    ('bad rfc1123', single, _rename('k8s-worker1', 'k8s-worker1-'), ['inventory_hostname', 'RFC 1123'], 1),
    ('ip as name', single, _rename('k8s-worker1', '192.168.1.12'), ['inventory_hostname', 'IP address'], 1),
    ('node ip missing', single, _set(['hosts', 'k8s-worker2'], {}),
     ['host k8s-worker2', 'cluster_node_ip: not set', 'validate.yml gathers no facts'], 1),
    ('node ip missing with facts but no route', single,
     _set(['hosts', 'k8s-worker2'], {'facts_gathered': True, 'default_ipv4': ''}),
     ['host k8s-worker2', 'cluster_node_ip', 'no default IPv4 route'], 1),
    ('node ip malformed', single, _set(['hosts', 'k8s-worker1', 'cluster_node_ip'], '192.168.1.300'),
     ['host k8s-worker1', 'cluster_node_ip', 'not an IP address'], 1),
    ('node ip with prefix', single, _set(['hosts', 'k8s-worker1', 'cluster_node_ip'], '192.168.1.12/24'),
     ['cluster_node_ip', 'drop the prefix length'], 1),
    ('node ip loopback', single, _set(['hosts', 'k8s-worker1', 'cluster_node_ip'], '127.0.0.1'),
     ['host k8s-worker1', 'cluster_node_ip', 'loopback'], 1),
    ('duplicate node ip', single, _set(['hosts', 'k8s-worker2', 'cluster_node_ip'], '192.168.1.12'),
     ['cluster_node_ip', '192.168.1.12', 'k8s-worker1, k8s-worker2'], 1),
    ('no control plane', single, _no_cp, ['kube_control_plane', 'empty'], 1),
    ('two control planes', ha, _drop_cp, ['kube_control_plane', '2 control planes', 'odd'], 1),
    ('four control planes', ha, _four_cps, ['kube_control_plane', '4 control planes'], 1),
    ('ha without endpoint', ha, _set(['settings', 'cluster_control_plane_endpoint_address'], ''),
     ['cluster_control_plane_endpoint_address', 'empty with 3 control planes'], 1),
    ('ha without lb', ha, _set(['groups', 'kube_lb'], []), ['kube_lb', 'empty'], 1),
    ('lb host undefined', ha, _undefined_member, ['kube_lb host ghost', 'not defined'], 1),
    ('endpoint port equals bind port', ha, _set(['settings', 'cluster_control_plane_endpoint_port'], 6443),
     ['cluster_control_plane_endpoint_port', 'cluster_apiserver_bind_port', 'master01'], 1),
    ('vip is a node ip', ha, _set(['settings', 'cluster_control_plane_endpoint_address'], '192.168.0.12'),
     ['cluster_control_plane_endpoint_address', 'cluster_node_ip of master03'], 1),
    ('vip outside node subnet', ha, _set(['settings', 'cluster_control_plane_endpoint_address'], '192.168.1.100'),
     ['cluster_control_plane_endpoint_address', 'outside cluster_node_subnet'], 1),
    ('vip is a name with keepalived', ha,
     _set(['settings', 'cluster_control_plane_endpoint_address'], 'api.example.internal'),
     ['cluster_control_plane_endpoint_address', 'keepalived'], 1),
    ('vip with port', ha, _set(['settings', 'cluster_control_plane_endpoint_address'], '192.168.0.100:16443'),
     ['cluster_control_plane_endpoint_address', 'contains a port'], 1),
    ('vip as url', ha, _set(['settings', 'cluster_control_plane_endpoint_address'], 'https://192.168.0.100'),
     ['cluster_control_plane_endpoint_address', 'URL'], 1),
    ('single endpoint held by nobody', single,
     _set(['settings', 'cluster_control_plane_endpoint_address'], '192.168.1.100'),
     ['cluster_control_plane_endpoint_address', 'no host holds it'], 1),
    ('single endpoint port without lb', single, _endpoint('192.168.1.11', 16443),
     ['cluster_control_plane_endpoint_port', 'no kube_lb host forwards it'], 1),
    ('node outside node subnet', ha, _set(['hosts', 'worker02', 'cluster_node_ip'], '192.168.5.14'),
     ['host worker02', 'cluster_node_ip', 'outside cluster_node_subnet'], 1),
    ('node subnet malformed', ha, _set(['settings', 'cluster_node_subnet'], '192.168.0.0/33'),
     ['cluster_node_subnet', 'not a CIDR'], 1),
    ('pod subnet malformed', single, _set(['settings', 'cluster_pod_subnet'], '10.244.0.0/40'),
     ['cluster_pod_subnet', 'not a CIDR'], 1),
    ('pod subnet without prefix', single, _set(['settings', 'cluster_pod_subnet'], '10.244.0.0'),
     ['cluster_pod_subnet', 'no prefix length'], 1),
    ('pod subnet host bits', single, _set(['settings', 'cluster_pod_subnet'], '10.244.1.0/16'),
     ['cluster_pod_subnet', 'host bits', '10.244.0.0/16'], 1),
    ('pod subnet dual stack', single, _set(['settings', 'cluster_pod_subnet'], '10.244.0.0/16,fd00:10::/56'),
     ['cluster_pod_subnet', 'dual-stack'], 1),
    ('pod overlaps service', single, _set(['settings', 'cluster_pod_subnet'], '10.96.0.0/16'),
     ['cluster_pod_subnet', 'overlaps cluster_service_subnet'], 1),
    ('service contains node ips', single, _set(['settings', 'cluster_service_subnet'], '192.168.0.0/16'),
     ['cluster_node_ip', 'inside cluster_service_subnet'], 3),
    ('pod subnet contains the vip', ha, _set(['settings', 'cluster_pod_subnet'], '192.168.0.0/25'),
     ['cluster_pod_subnet'], 0),
    ('pod overlaps node subnet', ha, _set(['settings', 'cluster_pod_subnet'], '192.168.0.0/16'),
     ['cluster_pod_subnet', '192.168.0.0/16'], 0),
    ('pod overlaps docker bridge', single, _set(['settings', 'cluster_pod_subnet'], '172.16.0.0/12'),
     ['cluster_pod_subnet', "Docker's bridge"], 1),
    ('pod subnet too small', single, _set(['settings', 'cluster_pod_subnet'], '10.244.0.0/25'),
     ['cluster_pod_subnet', 'smaller than the /24'], 1),
    ('pod subnet too few blocks', single, _set(['settings', 'cluster_pod_subnet'], '10.244.0.0/23'),
     ['cluster_pod_subnet', 'holds 2 node blocks', '3 nodes'], 1),
    ('service too large', single, _set(['settings', 'cluster_service_subnet'], '100.64.0.0/10'),
     ['cluster_service_subnet', 'too large'], 1),
    ('service too small', single, _set(['settings', 'cluster_service_subnet'], '10.96.0.0/29'),
     ['cluster_service_subnet', 'too small'], 1),
    ('families differ', single, _set(['settings', 'cluster_pod_subnet'], 'fd00:10::/56'),
     ['cluster_pod_subnet', 'IP famil'], 0),
    ('unknown runtime', single, _set(['settings', 'cluster_container_runtime'], 'cri-o'),
     ['cluster_container_runtime', "'cri-o'"], 1),
    ('unknown runtime on one host', single, _set(['hosts', 'k8s-worker2', 'cluster_container_runtime'], 'crio'),
     ['kube_workers host k8s-worker2: cluster_container_runtime'], 1),
    ('version with v', single, _set(['settings', 'cluster_kubernetes_version'], 'v1.34.4'),
     ['cluster_kubernetes_version', "leading 'v'", "'1.34.4'"], 1),
    ('version without patch', single, _set(['settings', 'cluster_kubernetes_version'], '1.34'),
     ['cluster_kubernetes_version', 'MAJOR.MINOR.PATCH'], 1),
    ('version as float', single, _set(['settings', 'cluster_kubernetes_version'], 1.3),
     ['cluster_kubernetes_version', 'is a number'], 1),
    ('version too old', single, _set(['settings', 'cluster_kubernetes_version'], '1.27.16'),
     ['cluster_kubernetes_version', 'not supported', '1.28'], 1),
    ('version too new', single, _set(['settings', 'cluster_kubernetes_version'], '1.36.0'),
     ['cluster_kubernetes_version', 'not supported'], 1),
    ('version differs between hosts', single, _set(['hosts', 'k8s-worker1', 'cluster_kubernetes_version'], '1.33.1'),
     ['cluster_kubernetes_version', 'differs between hosts', 'k8s-worker1'], 1),
    ('calico pool outside pod subnet', single, _set(['settings', 'calico_ipv4pool_cidr'], '192.168.128.0/17'),
     ['calico_ipv4pool_cidr', 'not inside cluster_pod_subnet'], 1),
    ('calico pool malformed', single, _set(['settings', 'calico_ipv4pool_cidr'], '10.244.0.0/16/1'),
     ['calico_ipv4pool_cidr', 'not a CIDR'], 1),
    ('calico block size out of range', single, _set(['settings', 'calico_ipv4pool_block_size'], 33),
     ['calico_ipv4pool_block_size', 'not a block size'], 1),
    ('calico block larger than the pool', single, _calico('10.244.0.0/22', 20),
     ['calico_ipv4pool_block_size', '/20 blocks do not fit in the pool 10.244.0.0/22'], 1),
    ('endpoint port out of range', ha, _set(['settings', 'cluster_control_plane_endpoint_port'], 70000),
     ['cluster_control_plane_endpoint_port', 'not a TCP port'], 1),
    ('bind port not a number', single, _set(['settings', 'cluster_apiserver_bind_port'], 'https'),
     ['cluster_apiserver_bind_port', 'not a TCP port'], 0),
    ('bind port boolean', ha, _set(['settings', 'cluster_apiserver_bind_port'], True),
     ['cluster_apiserver_bind_port', 'not a TCP port'], 1),
    ('empty image repository', single, _set(['settings', 'cluster_image_repository'], ''),
     ['cluster_image_repository', 'empty'], 1),
    ('image repository with scheme', single, _set(['settings', 'cluster_image_repository'], 'https://registry.k8s.io'),
     ['cluster_image_repository', 'scheme', "'registry.k8s.io'"], 1),
    ('mirrors as docker list', single, _set(['settings', 'cluster_registry_mirrors'], ['https://mirror.example']),
     ['cluster_registry_mirrors', 'mapping', 'got list'], 1),
    ('mirror value a string', single,
     _set(['settings', 'cluster_registry_mirrors'], {'docker.io': 'https://mirror.example'}),
     ["cluster_registry_mirrors['docker.io']", 'list of URLs'], 1),
    ('mirror without scheme', single, _set(['settings', 'cluster_registry_mirrors'], {'docker.io': ['mirror.example']}),
     ["cluster_registry_mirrors['docker.io']", 'http(s) URL'], 1),
    ('mirror key with scheme', single,
     _set(['settings', 'cluster_registry_mirrors'], {'https://docker.io': ['https://mirror.example']}),
     ['cluster_registry_mirrors', 'not a registry host'], 1),
    ('insecure registries a string', single, _set(['settings', 'cluster_insecure_registries'], '192.168.1.5:5000'),
     ['cluster_insecure_registries', 'must be a list'], 1),
    ('insecure registry with scheme', single,
     _set(['settings', 'cluster_insecure_registries'], ['http://192.168.1.5:5000']),
     ['cluster_insecure_registries', 'host[:port]'], 1),
    ('dns domain upper case', single, _set(['settings', 'cluster_dns_domain'], 'Cluster.Local'),
     ['cluster_dns_domain', 'lowercase DNS name'], 1),
    ('dns domain trailing dot', single, _set(['settings', 'cluster_dns_domain'], 'cluster.local.'),
     ['cluster_dns_domain'], 1),
    ('fail cgroup v1 not boolean', single, _set(['settings', 'cluster_fail_cgroup_v1'], 'maybe'),
     ['cluster_fail_cgroup_v1', 'not a boolean'], 1),
    ('control plane also worker', single, _both_groups,
     ['kube_control_plane host k8s-master', 'also in kube_workers'], 1),
    ('host in no group', single, _orphan, ['host bastion', 'in none of the groups'], 1),
]


@pytest.mark.parametrize('name,base,mutate,expected,count', CASES, ids=[case[0] for case in CASES])
def test_each_check(name, base, mutate, expected, count):
    data = base()
    mutate(data)
    problems = problems_of(data)
    if count:
        assert len(problems) == count, problems
    else:
        assert problems, name
    for problem in problems:
        for text in expected:
            assert text in problem, (text, problems)


def test_vip_in_pod_and_node_subnet_overlap_are_named():
    data = ha()
    data['settings']['cluster_pod_subnet'] = '192.168.0.0/16'
    problems = problems_of(data)
    assert any('cluster_pod_subnet: 192.168.0.0/16 overlaps cluster_node_subnet' in p for p in problems)
    assert any(p.startswith('cluster_control_plane_endpoint_address: 192.168.0.100 is inside cluster_pod_subnet')
               for p in problems)
    assert sum('cluster_node_ip: 192.168.0.' in p and 'inside cluster_pod_subnet' in p for p in problems) == 5


def test_single_endpoint_port_problem_is_exact():
    data = single()
    data['settings']['cluster_control_plane_endpoint_port'] = 16443
    assert problems_of(data) == []  # without an address the endpoint is the control plane's bind port
    data['settings']['cluster_control_plane_endpoint_address'] = '192.168.1.11'
    assert problems_of(data) == [
        'cluster_control_plane_endpoint_port: 16443 differs from cluster_apiserver_bind_port 6443 but no kube_lb '
        'host forwards it \u2014 use the same port or add kube_lb hosts']


def test_missing_node_ip_is_skipped_when_not_required():
    data = single()
    data['hosts']['k8s-worker2'] = {}
    data['require_node_ip'] = False
    assert problems_of(data) == []


def test_node_ip_from_facts_is_checked():
    data = single()
    data['hosts']['k8s-worker2'] = {'facts_gathered': True, 'default_ipv4': '192.168.1.12'}
    assert problems_of(data) == [
        'cluster_node_ip: 192.168.1.12 is used by several hosts (k8s-worker1, k8s-worker2) \u2014 every host needs '
        'its own address']


def test_shared_bad_value_is_reported_once_without_host():
    data = single()
    data['settings']['cluster_container_runtime'] = 'cri-o'
    for host in data['hosts'].values():
        host['cluster_container_runtime'] = 'cri-o'  # group_vars/all reaches every host too
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith('cluster_container_runtime:')


def test_explicit_localhost_is_not_a_node():
    data = single()
    data['groups']['all'].append('localhost')
    data['groups']['ungrouped'] = ['localhost']
    data['hosts']['localhost'] = {}
    assert problems_of(data) == []


def test_containerd_allows_docker_bridge_range():
    data = single()
    data['settings'].update({'cluster_container_runtime': 'containerd', 'cluster_pod_subnet': '172.16.0.0/12'})
    assert problems_of(data) == []


def test_every_problem_is_collected_at_once():
    data = single()
    _rename('k8s-worker1', 'k8s_worker1')(data)
    data['settings']['cluster_kubernetes_version'] = 'v1.34.4'
    data['settings']['cluster_pod_subnet'] = '10.96.0.0/16'
    data['hosts']['k8s-worker2'] = {}
    problems = problems_of(data)
    assert len(problems) == 4
    for variable in ('inventory_hostname', 'cluster_kubernetes_version', 'cluster_pod_subnet', 'cluster_node_ip'):
        assert any(variable in p for p in problems), variable


def test_empty_input_names_the_control_plane_group():
    problems = problems_of({'settings': copy.deepcopy(DEFAULTS)})
    assert len(problems) == 1
    assert problems[0].startswith('kube_control_plane:')


@pytest.mark.parametrize('name,ok', [
    ('k8s-master', True), ('master01.example.com', True), ('a' * 63, True), ('a' * 64, False),
    ('k8s_master', False), ('K8s', False), ('-k8s', False), ('k8s..a', False), ('10.0.0.1', False),
])
def test_node_names(name, ok):
    assert (cv.node_name_problem(name) is None) is ok


# ---------------------------------------------------------------------------
# Node preflight
# ---------------------------------------------------------------------------

def facts(**overrides):
    base = {
        'distribution': 'Debian', 'distribution_major_version': '12', 'distribution_version': '12.7',
        'distribution_release': 'bookworm', 'kernel': '6.1.0-26-amd64',
        'processor_vcpus': 2, 'memtotal_mb': 3900, 'swaptotal_mb': 0,
        'all_ipv4_addresses': ['192.168.0.10', '10.1.0.5', '172.17.0.1'], 'all_ipv6_addresses': [],
        'interfaces': ['lo', 'ens-3', 'docker0'],
        'ens_3': {'ipv4': {'address': '192.168.0.10', 'netmask': '255.255.255.0'},
                  'ipv4_secondaries': [{'address': '10.1.0.5', 'netmask': '255.255.0.0'}]},
        'docker0': {'ipv4': {'address': '172.17.0.1', 'netmask': '255.255.0.0'}},
        'lo': {'ipv4': {'address': '127.0.0.1', 'netmask': '255.0.0.0'}},
    }
    base.update(overrides)
    return base


SUPPORTED_OS = {'Debian': ['12', '13'], 'Ubuntu': ['22.04', '24.04'], 'Rocky': ['8', '9'], 'CentOS': ['7'],
                'openEuler': ['22.03', '24.03']}
TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
LISTEN_6443 = '   0: 00000000:192B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n'
ESTABLISHED_10250 = '   1: 0100007F:280A 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n'
LISTEN6_10250 = ('   0: 00000000000000000000000000000000:280A 00000000000000000000000000000000:0000 0A '
                 '00000000:00000000 00:00000000 00000000     0        0 3 1\n')


def node(**overrides):
    data = {
        'facts': facts(),
        'is_control_plane': True,
        'is_lb': True,
        'settings': {
            'cluster_node_ip': '192.168.0.10', 'cluster_control_plane_endpoint_address': '192.168.0.100',
            'cluster_apiserver_bind_port': 6443, 'cluster_kubernetes_version': '1.34.4',
            'cluster_fail_cgroup_v1': True, 'cluster_supported_os': SUPPORTED_OS,
            'cluster_preflight_min_cpus_control_plane': 2, 'cluster_preflight_min_memory_mb_control_plane': 1700,
            'cluster_preflight_min_cpus_worker': 1, 'cluster_preflight_min_memory_mb_worker': 512,
            'cluster_preflight_max_clock_skew_seconds': 10, 'cluster_preflight_swap_managed': True,
        },
        'cgroup': {'v2_controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n', 'v1_proc_cgroups': ''},
        'listening': TCP_HEADER,
        'kubelet_conf_exists': False,
        'clock': {'before': 1000.0, 'node': 1001.0, 'after': 1002.0},
    }
    for key, value in overrides.items():
        if key in data['settings'] or key.startswith('cluster_'):
            data['settings'][key] = value
        else:
            data[key] = value
    return data


def check(data):
    result = cv.node_problems(data)
    return result['problems'], result['warnings']


def test_good_node_passes():
    assert check(node()) == ([], [])


def test_good_worker_with_one_cpu_passes():
    assert check(node(is_control_plane=False, is_lb=False, facts=facts(processor_vcpus=1, memtotal_mb=900))) == ([], [])


V1_PIDS_ON = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t2\t1\npids\t8\t2\t1\n'
V1_PIDS_OFF = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t2\t1\npids\t0\t1\t0\n'

NODE_CASES = [
    ('unsupported os', dict(facts=facts(distribution='Ubuntu', distribution_major_version='20',
                                        distribution_version='20.04')),
     ['Ubuntu 20.04', 'supported: ', 'Debian 12, 13']),
    ('centos stream', dict(facts=facts(distribution='CentOS', distribution_major_version='9',
                                       distribution_version='9', distribution_release='Stream')),
     ['CentOS 9', 'not a supported']),
    ('control plane with 1 cpu', dict(facts=facts(processor_vcpus=1)),
     ['cluster_preflight_min_cpus_control_plane', '1 CPUs', 'at least 2']),
    ('control plane with 1500 MiB', dict(facts=facts(memtotal_mb=1500)),
     ['cluster_preflight_min_memory_mb_control_plane', '1500 MiB']),
    ('cgroup v2 without pids', dict(cgroup={'v2_controllers': 'cpu memory io\n'}), ['cgroup v2', 'pids']),
    ('cgroup v1 without pids', dict(cgroup={'v2_controllers': None, 'v1_proc_cgroups': V1_PIDS_OFF}),
     ['cgroup v1', 'pids']),
    ('cgroup v1 with 1.35', dict(cgroup={'v2_controllers': None, 'v1_proc_cgroups': V1_PIDS_ON},
                                 cluster_kubernetes_version='1.35.0'),
     ['cluster_fail_cgroup_v1', 'kubelet 1.35', 'cluster_fail_cgroup_v1: false']),
    ('clock ahead', dict(clock={'before': 1000.0, 'node': 1031.0, 'after': 1002.0}),
     ['cluster_preflight_max_clock_skew_seconds', '30 s ahead of']),
    ('clock behind', dict(clock={'before': 1000.0, 'node': 980.0, 'after': 1001.0}), ['behind the controller']),
    ('apiserver port busy', dict(listening=TCP_HEADER + LISTEN_6443), ['port 6443', 'kube-apiserver']),
    ('kubelet port busy on tcp6', dict(is_control_plane=False, listening=TCP_HEADER + LISTEN6_10250),
     ['port 10250', 'kubelet']),
    ('node ip not on host', dict(cluster_node_ip='192.168.0.99'),
     ['cluster_node_ip: 192.168.0.99 is not an address of this host', '192.168.0.10']),
    ('node ip empty', dict(cluster_node_ip=''), ['cluster_node_ip: empty']),
    ('vip outside interface network', dict(cluster_control_plane_endpoint_address='192.168.1.100'),
     ['cluster_control_plane_endpoint_address', '192.168.0.0/24', 'ens-3']),
    ('python 3.6 only', dict(python_probe='/usr/bin/python3 3.6\npython2.7 2.7\n',
                             controller_ansible_version='2.19.4'),
     ['ansible_python_interpreter', '/usr/bin/python3 3.6', '3.7+']),
    ('no python at all', dict(python_probe='', controller_ansible_version='2.17.0'), ['found: none']),
]


@pytest.mark.parametrize('name,overrides,expected', NODE_CASES, ids=[case[0] for case in NODE_CASES])
def test_node_checks(name, overrides, expected):
    problems, _warnings = check(node(**overrides))
    assert len(problems) == 1, problems
    for text in expected:
        assert text in problems[0], (text, problems)


@pytest.mark.parametrize('name,overrides,expected', [
    ('centos 7', dict(facts=facts(distribution='CentOS', distribution_major_version='7', distribution_version='7.9',
                                  distribution_release='Core', kernel='3.10.0-1160.el7.x86_64')),
     ['CentOS 7 is past end of life', 'kernel 3.10.0']),
    ('cgroup v1 before 1.35', dict(cgroup={'v2_controllers': None, 'v1_proc_cgroups': V1_PIDS_ON}),
     ['cgroup v1: Kubernetes keeps it in maintenance mode']),
    ('cgroup v1 allowed on 1.35', dict(cgroup={'v2_controllers': None, 'v1_proc_cgroups': V1_PIDS_ON},
                                       cluster_kubernetes_version='1.35.0', cluster_fail_cgroup_v1=False),
     ['cgroup v1 allowed by cluster_fail_cgroup_v1: false']),
    ('swap left on', dict(facts=facts(swaptotal_mb=2047), cluster_preflight_swap_managed=False), ['swap is on']),
])
def test_node_warnings_do_not_fail(name, overrides, expected):
    problems, warnings = check(node(**overrides))
    assert problems == []
    assert len(warnings) == len(expected), warnings
    for text, warning in zip(expected, warnings):
        assert text in warning


@pytest.mark.parametrize('name,overrides', [
    ('openEuler', dict(facts=facts(distribution='openEuler', distribution_major_version='22',
                                   distribution_version='22.03'))),
    ('swap managed by os_prep', dict(facts=facts(swaptotal_mb=2047))),
    ('ports busy on a cluster member', dict(listening=TCP_HEADER + LISTEN_6443, kubelet_conf_exists=True)),
    ('apiserver port busy on a worker', dict(is_control_plane=False, listening=TCP_HEADER + LISTEN_6443)),
    ('connection not listening', dict(listening=TCP_HEADER + ESTABLISHED_10250)),
    ('slow round trip explains the difference', dict(clock={'before': 1000.0, 'node': 1025.0, 'after': 1030.0})),
    ('garbled clock', dict(clock={'before': 1000.0, 'node': 'Sun Nov 22', 'after': 1001.0})),
    ('vip on a secondary address network', dict(cluster_node_ip='10.1.0.5',
                                                cluster_control_plane_endpoint_address='10.1.200.1')),
    ('vip ignored on non-lb host', dict(is_lb=False, cluster_control_plane_endpoint_address='10.9.9.9')),
    ('python 3.6 with ansible-core 2.16', dict(python_probe='/usr/bin/python3 3.6\n',
                                               controller_ansible_version='2.16.14')),
    ('newer python found', dict(python_probe='/usr/bin/python3 3.6\npython3.11 3.11\n',
                                controller_ansible_version='2.19.4')),
])
def test_node_variants_pass(name, overrides):
    assert check(node(**overrides)) == ([], [])


def test_python_probe_alone_needs_no_facts():
    result = cv.node_problems({'python_probe': 'python3 3.6', 'controller_ansible_version': '2.18.1'})
    assert len(result['problems']) == 1
    assert result['warnings'] == []


def test_listening_ports_parses_ipv4_and_ipv6():
    text = TCP_HEADER + LISTEN_6443 + ESTABLISHED_10250 + TCP_HEADER + LISTEN6_10250 + 'garbage line\n'
    assert cv.listening_ports(text) == {6443, 10250}


def test_cgroup_v1_pids_enabled():
    assert cv.cgroup_v1_pids_enabled(V1_PIDS_ON) is True
    assert cv.cgroup_v1_pids_enabled(V1_PIDS_OFF) is False
    assert cv.cgroup_v1_pids_enabled('') is False
