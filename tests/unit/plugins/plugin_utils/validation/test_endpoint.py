"""The control-plane endpoint, HA and keepalived (plugins/plugin_utils/validation/endpoint.py)."""

import pytest
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.plugin_utils.validation.inventories import (
    case_ids,
    check_case,
    ha,
    problems_of,
    set_value,
    single,
)


def _endpoint(address, port):
    def mutate(data):
        data['settings'].update({'cluster_control_plane_endpoint_address': address,
                                 'cluster_control_plane_endpoint_port': port})
    return mutate


VIP = ['settings', 'cluster_control_plane_endpoint_address']

# (name, base, mutation, substrings every problem must contain, number of problems; 0: at least one)
CASES = [
    ('ha without endpoint', ha, set_value(VIP, ''),
     ['cluster_control_plane_endpoint_address', 'empty with 3 control planes'], 1),
    ('ha without lb', ha, set_value(['groups', 'kube_lb'], []), ['kube_lb', 'empty'], 1),
    ('endpoint port equals bind port', ha, set_value(['settings', 'cluster_control_plane_endpoint_port'], 6443),
     ['cluster_control_plane_endpoint_port', 'cluster_apiserver_bind_port', 'master01'], 1),
    ('vip is a node ip', ha, set_value(VIP, '192.168.0.12'),
     ['cluster_control_plane_endpoint_address', 'cluster_node_ip of master03'], 1),
    ('vip outside node subnet', ha, set_value(VIP, '192.168.1.100'),
     ['cluster_control_plane_endpoint_address', 'outside cluster_node_subnet'], 1),
    ('vip is a name with keepalived', ha, set_value(VIP, 'api.example.internal'),
     ['cluster_control_plane_endpoint_address', 'keepalived'], 1),
    ('vip with port', ha, set_value(VIP, '192.168.0.100:16443'),
     ['cluster_control_plane_endpoint_address', 'contains a port'], 1),
    ('vip as url', ha, set_value(VIP, 'https://192.168.0.100'), ['cluster_control_plane_endpoint_address', 'URL'], 1),
    ('vip loopback', ha, set_value(VIP, '127.0.0.1'),
     ['cluster_control_plane_endpoint_address', 'cannot be reached from other nodes'], 1),
    ('single endpoint held by nobody', single, set_value(VIP, '192.168.1.100'),
     ['cluster_control_plane_endpoint_address', 'no host holds it'], 1),
    ('single endpoint port without lb', single, _endpoint('192.168.1.11', 16443),
     ['cluster_control_plane_endpoint_port', 'no kube_lb host forwards it'], 1),
    ('pod subnet contains the vip', ha, set_value(['settings', 'cluster_pod_subnet'], '192.168.0.0/25'),
     ['cluster_pod_subnet'], 0),
]


@pytest.mark.parametrize('name,base,mutate,expected,count', CASES, ids=case_ids(CASES))
def test_each_check(name, base, mutate, expected, count):
    check_case(base, mutate, expected, count)


def test_ha_needs_a_vrrp_password_of_at_most_8_characters():
    for length in (0, 9):
        data = ha()
        data['settings']['haproxy_keepalived_auth_pass_length'] = length
        found = problems_of(data)
        assert len(found) == 1 and found[0].startswith('haproxy_keepalived_auth_pass:'), found
    single_cluster = single()
    single_cluster['settings']['haproxy_keepalived_auth_pass_length'] = 0
    assert problems_of(single_cluster) == []


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
