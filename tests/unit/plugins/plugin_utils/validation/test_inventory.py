"""Groups, node names and settings the hosts must agree on (plugins/plugin_utils/validation/inventory.py)."""

import copy

import pytest
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.inventory import node_name_problem
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.plugin_utils.validation.inventories import (
    DEFAULTS,
    case_ids,
    check_case,
    ha,
    problems_of,
    rename,
    set_value,
    single,
)


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


def _drop_cp(data):
    data['groups']['kube_control_plane'].remove('master03')
    data['groups']['all'].remove('master03')
    del data['hosts']['master03']


def _four_cps(data):
    data['groups']['kube_control_plane'].append('master04')
    data['groups']['all'].append('master04')
    data['hosts']['master04'] = {'cluster_node_ip': '192.168.0.20'}


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
    ('underscore', single, rename('k8s-worker1', 'k8s_worker1'), ["kube_workers host k8s_worker1", "'_'"], 1),
    ('upper case', single, rename('k8s-worker1', 'K8s-Worker1'), ['inventory_hostname', 'upper case'], 1),
    ('bad rfc1123', single, rename('k8s-worker1', 'k8s-worker1-'), ['inventory_hostname', 'RFC 1123'], 1),
    ('ip as name', single, rename('k8s-worker1', '192.168.1.12'), ['inventory_hostname', 'IP address'], 1),
    ('no control plane', single, _no_cp, ['kube_control_plane', 'empty'], 1),
    ('two control planes', ha, _drop_cp, ['kube_control_plane', '2 control planes', 'odd'], 1),
    ('four control planes', ha, _four_cps, ['kube_control_plane', '4 control planes'], 1),
    ('lb host undefined', ha, _undefined_member, ['kube_lb host ghost', 'not defined'], 1),
    ('control plane also worker', single, _both_groups,
     ['kube_control_plane host k8s-master', 'also in kube_workers'], 1),
    ('host in no group', single, _orphan, ['host bastion', 'in none of the groups'], 1),
    ('version differs between hosts', single,
     set_value(['hosts', 'k8s-worker1', 'cluster_kubernetes_version'], '1.33.1'),
     ['cluster_kubernetes_version', 'differs between hosts', 'k8s-worker1'], 1),
]


@pytest.mark.parametrize('name,base,mutate,expected,count', CASES, ids=case_ids(CASES))
def test_each_check(name, base, mutate, expected, count):
    check_case(base, mutate, expected, count)


def test_explicit_localhost_is_not_a_node():
    data = single()
    data['groups']['all'].append('localhost')
    data['groups']['ungrouped'] = ['localhost']
    data['hosts']['localhost'] = {}
    assert problems_of(data) == []


def test_every_problem_is_collected_at_once():
    data = single()
    rename('k8s-worker1', 'k8s_worker1')(data)
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
    assert (node_name_problem(name) is None) is ok
