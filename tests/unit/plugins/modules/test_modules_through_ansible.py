"""Run the modules through ansible itself with fake kubeadm/kubectl binaries.

The other module tests call main() directly; this one proves that AnsiBallZ
packages the collection's module_utils and that the results survive ansible's
own result processing.
"""

import json
import os
import stat
import subprocess
import sys

import pytest
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import fixture_path

CREATED = 'zx81zx.abcdefghijklmnop'


def write_script(path, body):
    path.write_text('#!/bin/sh\n' + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def run_ansible(tmp_path, module, args):
    collections_root = [p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'duoshou'))][0]
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_HOME=str(tmp_path / 'home'), ANSIBLE_NOCOLOR='1')
    proc = subprocess.run(
        [ansible, 'localhost', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable,
         '-m', module, '-a', json.dumps(args)],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    # Ad-hoc output is "localhost | CHANGED => {json}".
    assert ' => ' in proc.stdout, proc.stdout + proc.stderr
    head, body = proc.stdout.split(' => ', 1)
    return head.split('|')[-1].strip(), json.loads(body)


@pytest.fixture
def cluster_files(tmp_path, openssl_ca):
    kubeconfig = tmp_path / 'admin.conf'
    kubeconfig.write_text('apiVersion: v1\nclusters:\n- cluster:\n    server: https://[fd00::10]:6443\n'
                          '  name: kubernetes\ncurrent-context: ""\nkind: Config\n')
    # What kubectl 1.32 printed for that kubeconfig.
    kubectl = write_script(tmp_path / 'kubectl', (
        'if [ "$1 $2 $3 $4 $5 $6" = "config view --kubeconfig %s --output json" ]; then cat %s; else exit 3; fi\n')
        % (kubeconfig, fixture_path('kubectl-1.32-config-view-ipv6-json-recorded.json')))
    token_list = fixture_path('kubeadm-1.34-token-list-json-reconstructed.txt')
    kubeadm = write_script(tmp_path / 'kubeadm', (
        'case "$2" in\n'
        '  list) if [ "$3 $4" = "-o json" ]; then cat %s; else exit 3; fi ;;\n'
        '  create) echo %s ;;\n'
        '  *) [ "$1" = version ] && echo v1.34.4 ;;\n'
        'esac\n') % (token_list, CREATED))
    return dict(kubeconfig=str(kubeconfig), ca=openssl_ca['ecdsa-p256'], kubeadm=kubeadm, kubectl=kubectl)


def test_kubeadm_token_through_ansible(tmp_path, cluster_files):
    status, result = run_ansible(tmp_path, 'duoshou.kubeadm.kubeadm_token', dict(
        kubeadm_path=cluster_files['kubeadm'], kubectl_path=cluster_files['kubectl'],
        kubeconfig=cluster_files['kubeconfig'], ca_cert_path=cluster_files['ca']['path'], min_remaining='1h', ttl='2h',
        # No listed token carries this group, whatever the clock says: the run must create one.
        # (An expiry-based miss would make the result depend on today's date.)
        groups=['system:bootstrappers:duoshou-test']))
    assert status == 'CHANGED', result
    assert result['changed'] is True and result['token'] == CREATED
    assert result['api_server_endpoint'] == '[fd00::10]:6443'
    assert result['ca_cert_hash'] == cluster_files['ca']['expected']
    assert result['worker_join_command'].startswith("kubeadm join '[fd00::10]:6443' --token zx81zx.")


def test_kubeadm_facts_through_ansible(tmp_path, cluster_files):
    status, result = run_ansible(tmp_path, 'duoshou.kubeadm.kubeadm_facts', dict(
        kubeadm_path=cluster_files['kubeadm'], kubelet_path='/nonexistent/kubelet', kubeconfig='/nonexistent.conf'))
    assert status == 'SUCCESS', result
    facts = result['ansible_facts']['kubeadm']
    assert result['changed'] is False
    assert facts['kubeadm_version'] == 'v1.34.4'
    assert facts['kubelet_version'] is None
    assert facts['api_error'] == 'kubeconfig /nonexistent.conf does not exist'


def test_kubeadm_token_missing_binary_through_ansible(tmp_path, cluster_files):
    status, result = run_ansible(tmp_path, 'duoshou.kubeadm.kubeadm_token', dict(
        kubeadm_path=str(tmp_path / 'no-kubeadm'), kubeconfig=cluster_files['kubeconfig'],
        ca_cert_path=cluster_files['ca']['path']))
    assert status == 'FAILED!'
    assert 'is not an executable file' in result['msg']
