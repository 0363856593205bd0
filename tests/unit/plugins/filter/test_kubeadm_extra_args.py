import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter.kubeadm_extra_args import kubeadm_extra_args


def test_v1beta3_is_a_map_of_strings():
    assert kubeadm_extra_args({'node-ip': '10.0.0.5', 'max-pods': 200, 'rotate': True},
                              'kubeadm.k8s.io/v1beta3') == {'node-ip': '10.0.0.5', 'max-pods': '200', 'rotate': 'true'}


def test_v1beta4_is_a_sorted_list_of_name_value():
    assert kubeadm_extra_args({'v': 2, 'audit-log-maxage': '30'}, 'kubeadm.k8s.io/v1beta4') == [
        {'name': 'audit-log-maxage', 'value': '30'},
        {'name': 'v', 'value': '2'},
    ]


def test_empty_flags_render_empty():
    assert kubeadm_extra_args({}, 'kubeadm.k8s.io/v1beta4') == []
    assert kubeadm_extra_args({}, 'kubeadm.k8s.io/v1beta3') == {}


@pytest.mark.parametrize('flags, version, message', [
    ({'--node-ip': '1.2.3.4'}, 'kubeadm.k8s.io/v1beta4', 'without leading dashes'),
    (['node-ip'], 'kubeadm.k8s.io/v1beta4', 'expected a dict'),
    ({'node-ip': '1.2.3.4'}, 'kubeadm.k8s.io/v1beta2', 'unsupported kubeadm API version'),
])
def test_bad_input_is_explained(flags, version, message):
    with pytest.raises(AnsibleFilterError, match=message):
        kubeadm_extra_args(flags, version)
