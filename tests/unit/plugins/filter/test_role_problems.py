"""Unit tests for the role_problems filter (the roles' side of plugins/plugin_utils/validation/roles.py)."""

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter import role_problems as plugin
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.roles import ROLES_WITH_RULES

CHECKSUM = '0123456789abcdef' * 4


def test_filter_is_registered():
    assert plugin.FilterModule().filters()['role_problems'] is plugin.role_problems


def test_documented_roles_are_the_roles_with_rules():
    doc = yaml.safe_load(plugin.DOCUMENTATION)
    assert doc['name'] == os.path.splitext(os.path.basename(plugin.__file__))[0]
    assert sorted(doc['options']['role']['choices']) == sorted(ROLES_WITH_RULES)
    yaml.safe_load(plugin.EXAMPLES)
    yaml.safe_load(plugin.RETURN)


def test_good_settings_pass():
    values = {'docker_cri_cri_dockerd_source': 'package', 'docker_cri_cri_dockerd_package_checksum': CHECKSUM}
    assert plugin.role_problems(values, 'docker_cri') == []


def test_a_problem_names_the_variable_and_the_fix():
    found = plugin.role_problems({'haproxy_keepalived_priority': 255}, 'haproxy_keepalived')
    assert found == ['haproxy_keepalived_priority: 255 is out of range \u2014 use 1 to 254 (keepalived refuses others)']


def test_the_context_reaches_the_rules():
    found = plugin.role_problems({'calico_kubectl_host': 'w1'}, 'calico', control_planes=['cp1', 'cp2'])
    assert found == ["calico_kubectl_host: 'w1' is not in kube_control_plane \u2014 name one of cp1, cp2, or leave it "
                     'unset for the first']


@pytest.mark.parametrize('values,role,message', [
    (['not', 'a mapping'], 'calico', 'the input must be a mapping'),
    ({}, 'calco', 'no value rules for the role'),
])
def test_misuse_is_a_filter_error(values, role, message):
    with pytest.raises(AnsibleFilterError, match='role_problems: ' + message):
        plugin.role_problems(values, role)
