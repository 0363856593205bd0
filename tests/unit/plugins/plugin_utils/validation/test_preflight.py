"""Preflight of one node (plugins/plugin_utils/validation/preflight.py)."""

import os

import pytest
import yaml
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.preflight import (
    cgroup_v1_pids_enabled,
    listening_ports,
    node_problems,
    node_state,
)


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
    result = node_problems(data)
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
    ('version bump on a joined node', dict(kubelet_conf_exists=True, kubelet_version='Kubernetes v1.34.4',
                                           cluster_kubernetes_version='1.35.0'),
     ['cluster_kubernetes_version: 1.35.0', 'runs kubelet 1.34.4', 'playbooks/upgrade.yml',
      'set cluster_kubernetes_version back to 1.34.4']),
    ('downgrade on a joined node', dict(kubelet_conf_exists=True, kubelet_version='Kubernetes v1.34.4',
                                        cluster_kubernetes_version='1.34.1'),
     ['runs kubelet 1.34.4', 'does not upgrade a running cluster', 'set cluster_kubernetes_version to 1.34.4']),
    ('upgrade: downgrade', dict(kubelet_conf_exists=True, kubelet_version='Kubernetes v1.34.4',
                                cluster_kubernetes_version='1.34.3', cluster_preflight_upgrade=True),
     ['1.34.3 is older than the kubelet on this node 1.34.4', 'does not downgrade']),
    ('upgrade: skips a minor', dict(kubelet_conf_exists=True, kubelet_version='Kubernetes v1.33.7',
                                    cluster_kubernetes_version='1.35.0', cluster_preflight_upgrade=True),
     ['skips a minor release', 'latest 1.34 patch first, then to 1.35.0']),
    ('upgrade: control plane a minor behind the kubelet target',
     dict(kubelet_conf_exists=True, kubelet_version='Kubernetes v1.34.4', cluster_kubernetes_version='1.35.0',
          cluster_preflight_upgrade=True, live_cluster_configuration={'kubernetesVersion': 'v1.33.2'}),
     ['control plane (kubeadm-config) 1.33.2', 'one minor at a time']),
    ('upgrade: a node that has not joined', dict(cluster_preflight_upgrade=True, is_control_plane=False,
                                                 kubeadm_files={'kubelet_conf': False}),
     ['upgrades nodes that have joined', 'this one is fresh', 'site.yml at the running release']),
    ('joined node without a kubelet', dict(kubelet_conf_exists=True, kubelet_version=''),
     ['kubelet.conf', 'kubelet --version']),
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
    ('ports busy on a cluster member', dict(listening=TCP_HEADER + LISTEN_6443, kubelet_conf_exists=True,
                                            kubelet_version='Kubernetes v1.34.4')),
    ('rerun on a joined node at its release', dict(kubelet_conf_exists=True, kubelet_version='Kubernetes v1.34.4')),
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
    result = node_problems({'python_probe': 'python3 3.6', 'controller_ansible_version': '2.18.1'})
    assert len(result['problems']) == 1
    assert result['warnings'] == []


def test_listening_ports_parses_ipv4_and_ipv6():
    text = TCP_HEADER + LISTEN_6443 + ESTABLISHED_10250 + TCP_HEADER + LISTEN6_10250 + 'garbage line\n'
    assert listening_ports(text) == {6443, 10250}


def test_cgroup_v1_pids_enabled():
    assert cgroup_v1_pids_enabled(V1_PIDS_ON) is True
    assert cgroup_v1_pids_enabled(V1_PIDS_OFF) is False
    assert cgroup_v1_pids_enabled('') is False


CLUSTER_VARS = os.path.join(os.path.dirname(__file__), *(['..'] * 5), 'roles', 'cluster', 'vars', 'main')


def cluster_var(file_name, name):
    with open(os.path.join(CLUSTER_VARS, file_name)) as handle:
        return yaml.safe_load(handle)[name]


# What the playbooks pass: the names the preflight looks for, and their paths.
PREFLIGHT_FILES = cluster_var('derived.yml', 'cluster_preflight_kubeadm_files')
KUBEADM_PATHS = cluster_var('kubeadm_paths.yml', 'cluster_kubeadm_paths')


def kubeadm_files(*present):
    for name in present:
        assert name in PREFLIGHT_FILES, name
    return {name: name in present for name in PREFLIGHT_FILES}


FULL_CONTROL_PLANE = ('admin_conf', 'kubelet_conf', 'ca_cert', 'apiserver_manifest', 'etcd_manifest', 'etcd_member')


@pytest.mark.parametrize('role,present,state', [
    ('first', (), 'fresh'),
    ('first', FULL_CONTROL_PLANE, 'joined'),
    # admin.conf written: the role re-runs the init phases that come after it.
    ('first', ('admin_conf', 'ca_cert'), 'joined'),
    # Certificates alone: kubeadm init runs again and keeps them.
    ('first', ('ca_cert',), 'partial-init-certificates'),
    ('first', ('ca_cert', 'etcd_manifest'), 'partial-init'),
    ('first', ('etcd_member',), 'partial-init'),
    ('other', (), 'fresh'),
    ('other', FULL_CONTROL_PLANE[1:], 'joined'),
    ('other', ('ca_cert', 'etcd_manifest'), 'partial-control-plane-join'),
    ('other', ('kubelet_conf', 'ca_cert'), 'partial-control-plane-join'),
    ('worker', (), 'fresh'),
    ('worker', ('kubelet_conf', 'ca_cert'), 'joined'),
    ('worker', ('ca_cert',), 'partial-worker-join'),
])
def test_node_state(role, present, state):
    data = dict(kubeadm_files=kubeadm_files(*present), is_first_control_plane=role == 'first',
                is_control_plane=role in ('first', 'other'))
    assert node_state(data) == state


def test_node_state_unknown_without_probe():
    assert node_state({}) is None


def joined_node(role, *present):
    return node(kubeadm_files=kubeadm_files(*present), kubeadm_paths=KUBEADM_PATHS,
                is_first_control_plane=role == 'first', is_control_plane=role in ('first', 'other'),
                first_control_plane='cp1', inventory_hostname='cp2', cri_socket='unix:///var/run/cri-dockerd.sock',
                kubelet_conf_exists='kubelet_conf' in present,
                kubelet_version='Kubernetes v1.34.4', listening=TCP_HEADER)


def test_partial_init_is_refused_with_the_reset_command():
    problems, _warnings = check(joined_node('first', 'ca_cert', 'etcd_member'))
    assert len(problems) == 1, problems
    assert 'kubeadm init stopped before it wrote /etc/kubernetes/admin.conf' in problems[0]
    assert '(found: /etc/kubernetes/pki/ca.crt, /var/lib/etcd/member)' in problems[0]
    assert 'If /var/lib/etcd/member holds a cluster you still need' in problems[0]
    assert 'kubeadm reset --force --cri-socket unix:///var/run/cri-dockerd.sock' in problems[0]


def test_an_init_stopped_in_its_certificates_phase_is_only_a_warning():
    problems, warnings = check(joined_node('first', 'ca_cert'))
    assert problems == []
    assert len(warnings) == 1, warnings
    assert 'stopped in its certificates phase' in warnings[0]
    assert '(found: /etc/kubernetes/pki/ca.crt, but no kubeconfig' in warnings[0]


def test_partial_control_plane_join_names_the_etcd_member_to_remove():
    problems, _warnings = check(joined_node('other', 'kubelet_conf', 'ca_cert'))
    assert len(problems) == 1, problems
    for text in ('playbooks/remove_node.yml -e kubeadm_remove_node=cp2 ', 'etcd-cp1', 'member remove',
                 'kubectl delete node cp2', 'kubeadm reset --force'):
        assert text in problems[0], text


def test_partial_worker_join_is_only_a_warning():
    problems, warnings = check(joined_node('worker', 'ca_cert'))
    assert problems == []
    assert len(warnings) == 1 and 'joins again' in warnings[0]


def test_a_new_control_plane_needs_the_load_balancers_in_the_run():
    new = joined_node('other')
    new['lb_hosts_outside_run'] = ['lb1', 'lb2']
    problems, _warnings = check(new)
    assert len(problems) == 1, problems
    assert 'cp2 is a new control plane, but the load balancers lb1, lb2 are not in this run' in problems[0]
    assert '--limit cp2,kube_lb' in problems[0]


def test_load_balancers_outside_the_run_do_not_matter_to_joined_nodes_and_workers():
    for data in (joined_node('other', *FULL_CONTROL_PLANE[1:]), joined_node('worker')):
        data['lb_hosts_outside_run'] = ['lb1']
        assert check(data)[0] == []


def test_joined_nodes_pass():
    assert check(joined_node('first', *FULL_CONTROL_PLANE)) == ([], [])
    assert check(joined_node('other', *FULL_CONTROL_PLANE[1:])) == ([], [])


LIVE = {'networking': {'podSubnet': '10.244.0.0/16', 'serviceSubnet': '10.96.0.0/12', 'dnsDomain': 'cluster.local'},
        'controlPlaneEndpoint': '192.168.0.100:16443'}
SAME_AS_LIVE = dict(cluster_pod_subnet='10.244.0.0/16', cluster_service_subnet='10.96.0.0/12',
                    cluster_dns_domain='cluster.local', cluster_control_plane_endpoint='192.168.0.100:16443')


def test_settings_that_match_the_running_cluster_pass():
    assert check(joined_node('first', *FULL_CONTROL_PLANE) | {'live_cluster_configuration': LIVE}
                 | {'settings': node()['settings'] | SAME_AS_LIVE}) == ([], [])


@pytest.mark.parametrize('key,value,live', [
    ('cluster_pod_subnet', '10.100.0.0/16', 'networking.podSubnet 10.244.0.0/16'),
    ('cluster_service_subnet', '10.97.0.0/16', 'networking.serviceSubnet 10.96.0.0/12'),
    ('cluster_dns_domain', 'k8s.local', 'networking.dnsDomain cluster.local'),
    ('cluster_control_plane_endpoint', '192.168.0.200:16443', 'controlPlaneEndpoint 192.168.0.100:16443'),
])
def test_settings_fixed_at_init_are_refused(key, value, live):
    data = joined_node('first', *FULL_CONTROL_PLANE) | {'live_cluster_configuration': LIVE}
    data['settings'] = node()['settings'] | SAME_AS_LIVE | {key: value}
    problems, _warnings = check(data)
    assert len(problems) == 1, problems
    assert problems[0].startswith('%s: %s, but the running cluster was created with %s' % (key, value, live))


def test_an_implicit_endpoint_is_not_compared():
    data = joined_node('first', *FULL_CONTROL_PLANE) | {'live_cluster_configuration': LIVE}
    data['settings'] = node()['settings'] | SAME_AS_LIVE | {'cluster_control_plane_endpoint': ''}
    assert check(data) == ([], [])


def test_a_joined_node_keeps_its_runtime():
    data = joined_node('worker', 'kubelet_conf', 'ca_cert')
    data['node_cri_socket'] = 'unix:///run/containerd/containerd.sock'
    problems, _warnings = check(data)
    assert len(problems) == 1 and problems[0].startswith(
        'cluster_container_runtime: this node has joined the cluster with the CRI socket '
        'unix:///run/containerd/containerd.sock, the inventory asks for unix:///var/run/cri-dockerd.sock')


@pytest.mark.parametrize('running,wanted,upgrade', [
    ('Kubernetes v1.34.4', '1.34.4', False),
    ('Kubernetes v1.34.3', '1.34.4', True),
    ('Kubernetes v1.34.4', '1.35.4', True),
    # A resumed upgrade: this node is already there.
    ('Kubernetes v1.35.4', '1.35.4', True),
])
def test_version_guard_accepts(running, wanted, upgrade):
    data = node(kubelet_conf_exists=True, kubelet_version=running, cluster_kubernetes_version=wanted,
                cluster_preflight_upgrade=upgrade, live_cluster_configuration={'kubernetesVersion': 'v1.34.4'},
                cluster_fail_cgroup_v1=True)
    problems, _warnings = check(data)
    assert problems == []
