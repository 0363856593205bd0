"""The roles' own settings (plugins/plugin_utils/validation/roles.py); the walk over every role is in
tests/unit/test_validation_covers_roles.py."""

import pytest
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.roles import (
    role_problems,
    spec_options,
    spec_problem,
)

SPECS = {
    'calico': {'main': {'options': {'calico_encapsulation': {'type': 'str', 'choices': ['IPIP', 'VXLAN'],
                                                             'description': 'x'},
                                    '_calico_internal': {'type': 'int'}}}},
    'internal_helpers': {'fetch_file': {'options': {'internal_helpers_fetch_src': {'type': 'str', 'required': True}}}},
}


def test_spec_options_skip_internal_roles_and_names():
    assert spec_options(SPECS) == {'calico_encapsulation': ('calico', {'type': 'str', 'choices': ['IPIP', 'VXLAN']})}


@pytest.mark.parametrize('value,expected', [
    ('VXLAN', None),
    ('vxlan', "calico_encapsulation: 'vxlan' is refused by the role calico"),
])
def test_choices_are_compared_exactly(value, expected):
    problem = spec_problem('calico_encapsulation', value, 'calico', {'type': 'str', 'choices': ['IPIP', 'VXLAN']})
    assert problem == expected or problem.startswith(expected)


@pytest.mark.parametrize('ttl,minimum,expected', [
    ('2h', '30m', []),
    ('24h0m0s', '1h30m', []),
    ('0', '30m', []),
    ('1d', '30m', ["cluster_bootstrap_token_ttl: '1d' is refused by the kubeadm_token module"]),
    (7200, '30m', ["cluster_bootstrap_token_ttl: 7200 is refused by the kubeadm_token module"]),
    ('1h', '2h', ["cluster_bootstrap_token_min_remaining: '2h' is refused by the kubeadm_token module"]),
])
def test_token_lifetimes_are_go_durations(ttl, minimum, expected):
    values = {'cluster_bootstrap_token_ttl': ttl, 'cluster_bootstrap_token_min_remaining': minimum}
    found = role_problems('cluster', values)
    assert [problem.split(' (', 1)[0] for problem in found] == expected


@pytest.mark.parametrize('values,count', [
    ({'haproxy_keepalived_priority': 254, 'haproxy_keepalived_virtual_router_id': '51'}, 0),
    ({'haproxy_keepalived_priority': '255'}, 1),
    ({'haproxy_keepalived_nopreempt': 'yes', 'haproxy_keepalived_check_weight': 0}, 0),
    ({'haproxy_keepalived_nopreempt': True, 'haproxy_keepalived_check_weight': 2}, 1),
])
def test_vrrp_rules(values, count):
    assert len(role_problems('haproxy_keepalived', values)) == count


def test_autodetection_cidrs_need_a_prefix_length():
    good = {'calico_ip_autodetection_method': 'cidr=192.0.2.0/24,198.51.100.7/24'}
    bad = {'calico_ip_autodetection_method': 'cidr=192.0.2.0/255.255.255.0'}
    assert role_problems('calico', good) == []
    assert len(role_problems('calico', bad)) == 1
