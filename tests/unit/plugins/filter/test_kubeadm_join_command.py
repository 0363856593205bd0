import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter.kubeadm_join_command import FilterModule, kubeadm_join_command

SAMPLE = 'abcdef.0123456789abcdef'
INFO = dict(api_server_endpoint='192.168.0.100:16443', token=SAMPLE,
            ca_cert_hashes=['sha256:' + 'a' * 64], certificate_key=None)


def test_filter_is_registered():
    assert FilterModule().filters() == {'kubeadm_join_command': kubeadm_join_command}


def test_worker_command():
    assert kubeadm_join_command(INFO, node_name='worker-1') == (
        'kubeadm join 192.168.0.100:16443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:'
        + 'a' * 64 + ' --node-name worker-1')


def test_control_plane_command_with_key_argument():
    command = kubeadm_join_command(INFO, control_plane=True, certificate_key='b' * 64,
                                   apiserver_advertise_address='192.168.0.12')
    assert command.endswith('--control-plane --certificate-key ' + 'b' * 64
                            + ' --apiserver-advertise-address 192.168.0.12')


def test_control_plane_without_key_is_an_error():
    with pytest.raises(AnsibleFilterError, match='^kubeadm_join_command: control_plane=true needs a certificate key'):
        kubeadm_join_command(INFO, control_plane=True)


def test_missing_fields_are_an_error():
    with pytest.raises(AnsibleFilterError, match='token is missing'):
        kubeadm_join_command(dict(INFO, token=None))
