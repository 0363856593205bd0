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


UPSTREAM = 'https://example.invalid/v3.29.3/calico.yaml'


@pytest.mark.parametrize('values,ctx,expected', [
    # Validation: the checksum unset is the role's default, the pinned checksum.
    ({'calico_version': '3.29.3'}, {}, []),
    ({'calico_version': '3.0.0'}, {}, ['no checksum is pinned for calico_version 3.0.0']),
    ({'calico_version': '3.0.0', 'calico_manifest_url': 'https://mirror/calico.yaml'}, {}, []),
    ({'calico_version': '3.29.3', 'calico_manifest_checksum': ''}, {}, ["'' would leave the upstream manifest"]),
    # The role: its resolved URL compared with the upstream one.
    ({'calico_version': '3.0.0', 'calico_manifest_checksum': '', 'calico_manifest_url': UPSTREAM},
     {'calico_manifest_upstream_url': UPSTREAM}, ['no checksum is pinned for calico_version 3.0.0']),
    ({'calico_version': '3.0.0', 'calico_manifest_checksum': '', 'calico_manifest_url': 'https://mirror/c.yaml'},
     {'calico_manifest_upstream_url': UPSTREAM}, []),
    ({'calico_version': '3.0.0', 'calico_manifest_checksum': '', 'calico_manifest_src': '/srv/calico.yaml'}, {}, []),
    ({'calico_manifest_checksum': 'sha256:' + 'A' * 64}, {}, ["'sha256:" + 'A' * 64 + "' is not 'sha256:<64"]),
])
def test_calico_manifest_checksum(values, ctx, expected):
    ctx = dict(ctx, calico_pinned_versions=['3.29.3'])
    found = [problem for problem in role_problems('calico', values, ctx)
             if problem.startswith('calico_manifest_checksum')]
    assert len(found) == len(expected), found
    for problem, text in zip(found, expected):
        assert text in problem


def test_firewall_ports_only_the_opened_ones_count_when_given():
    values = {'os_prep_firewall': 'open', 'os_prep_firewall_lb_ports': ['80'], 'os_prep_firewall_extra_ports': [8080]}
    assert len(role_problems('os_prep', values)) == 2
    assert role_problems('os_prep', values, {'firewall_ports': ['8080']}) == [
        "os_prep_firewall_extra_ports: 8080 not like '6443/tcp' or '30000-32767/tcp'"
        ' \u2014 write port[-port]/tcp|udp|sctp']
    assert role_problems('os_prep', dict(values, os_prep_firewall='disabled')) == []


@pytest.mark.parametrize('value,count', [(1, 0), ('5', 0), (5.0, 0), (0, 1), ('0', 1), ('ten', 1), (True, 1)])
def test_join_token_ttl(value, count):
    assert len(role_problems('kubeadm_join', {'kubeadm_join_command_token_ttl_minutes': value})) == count


@pytest.mark.parametrize('flag,count', [(True, 1), ('yes', 1), (1, 1), (False, 0), ('false', 0), ('no', 0)])
def test_nopreempt_reads_a_boolean_like_ansible(flag, count):
    values = {'haproxy_keepalived_nopreempt': flag, 'haproxy_keepalived_check_weight': -2}
    assert len(role_problems('haproxy_keepalived', values)) == count


def test_an_unknown_role_is_an_error():
    with pytest.raises(ValueError, match='no value rules for the role'):
        role_problems('calco', {})
