import os
import subprocess
import sys

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.filter.kubeadm_join_info import FilterModule, kubeadm_join_info
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import fixture_path, read_fixture

H1 = 'sha256:ed658f722bd79064d89e4bfd72b1e43fffae50e966528477fead1df68948eb51'


def test_filter_is_registered():
    assert FilterModule().filters() == {'kubeadm_join_info': kubeadm_join_info}


def test_filter_parses_ha_output():
    info = kubeadm_join_info(read_fixture('kubeadm-1.31-init-ha-upload-certs-reconstructed.txt').replace('\n', '\r\n'))
    assert info['api_server_endpoint'] == '192.168.0.100:16443'
    assert info['ca_cert_hashes'] == [H1]
    assert info['certificate_key'] == '3240c78a5d90ee1c5c2a1b03b514471bfbf2c8031726e61210c38be71a8b9954'


@pytest.mark.parametrize('value', ['[preflight] Running pre-flight checks\n', None])
def test_filter_error(value):
    with pytest.raises(AnsibleFilterError, match='^kubeadm_join_info: '):
        kubeadm_join_info(value)


def test_filters_resolve_by_fqcn_in_ansible(tmp_path):
    """Render through ansible itself, so the FQCNs and the module_utils imports work as users call them."""
    collections_root = [p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'duoshou'))][0]
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_HOME=str(tmp_path), ANSIBLE_NOCOLOR='1')
    expression = ("{{ lookup('ansible.builtin.file', '%s') | duoshou.kubeadm.kubeadm_join_info"
                  " | duoshou.kubeadm.kubeadm_join_command(cri_socket='unix:///var/run/cri-dockerd.sock') }}"
                  % fixture_path('kubeadm-1.34-init-ipv6-single-cp-reconstructed.txt'))
    proc = subprocess.run([ansible, 'localhost', '-c', 'local', '-m', 'ansible.builtin.debug', '-a',
                           'msg="%s"' % expression], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ('kubeadm join \'[fd00::11]:6443\' --token p9q8r7.s6t5u4v3w2x1y0z9 --discovery-token-ca-cert-hash '
            + H1 + ' --cri-socket unix:///var/run/cri-dockerd.sock') in proc.stdout
