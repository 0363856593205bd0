import json

import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils import yaml_compat
from ansible_collections.duoshou.kubeadm.plugins.modules import kubeadm_facts
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

ALL_BINS = {'kubeadm': '/usr/bin/kubeadm', 'kubelet': '/usr/bin/kubelet', 'kubectl': '/usr/bin/kubectl'}
CP_134 = dict(control_plane_endpoint='192.168.0.100:16443', kubernetes_version='v1.34.4',
              pod_subnet='10.244.0.0/16', service_subnet='10.96.0.0/12',
              image_repository='registry.aliyuncs.com/google_containers')
EMPTY = dict(control_plane_endpoint=None, kubernetes_version=None, pod_subnet=None, service_subnet=None,
             image_repository=None)


@pytest.fixture
def paths(tmp_path, monkeypatch):
    """Point the module's well-known paths into tmp_path; files exist only when a test creates them."""
    mapping = {}
    for key, path in kubeadm_facts.PATHS.items():
        mapping[key] = tmp_path / path.lstrip('/')
        monkeypatch.setitem(kubeadm_facts.PATHS, key, str(mapping[key]))

    def create(*keys, **contents):
        for key in keys:
            contents.setdefault(key, 'apiVersion: v1\n')
        for key, text in contents.items():
            mapping[key].parent.mkdir(parents=True, exist_ok=True)
            mapping[key].write_text(text)
        return mapping

    return create


def versions(runner):
    runner.on(lambda a: a[0] == '/usr/bin/kubeadm' and a[1:] == ['version', '-o', 'short'], out='v1.34.4\n')
    runner.on(lambda a: a[0] == '/usr/bin/kubelet' and a[1:] == ['--version'], out='Kubernetes v1.34.4\n')
    return runner


def configmap_query(args):
    return args[0] == '/usr/bin/kubectl' and 'configmap' in args and 'kubeadm-config' in args


def facts_of(result):
    assert result['changed'] is False
    return result['ansible_facts']['kubeadm']


def test_nothing_installed(module_harness, runner, paths):
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    assert kind == 'exit'
    assert facts_of(result) == dict(
        kubeadm_version=None, kubelet_version=None, is_control_plane=False, is_joined=False, kubeconfig=None,
        api_reachable=False, api_error=None, cluster_configuration=EMPTY, cri_socket=None, cri_socket_source=None,
        yaml_parser='pyyaml')
    assert runner.calls == []


def test_binaries_but_not_joined(module_harness, runner, paths):
    kind, result, runner = module_harness(kubeadm_facts.main, {}, versions(runner), bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['kubeadm_version'] == 'v1.34.4' and facts['kubelet_version'] == 'v1.34.4'
    assert facts['is_joined'] is False and facts['api_reachable'] is False
    assert not any(call[0] == '/usr/bin/kubectl' for call in runner.calls)


def test_broken_binaries_give_null(module_harness, runner, paths):
    runner.on(lambda a: True, rc=127, err='exec format error')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['kubeadm_version'] is None and facts['kubelet_version'] is None


@pytest.mark.parametrize('pyyaml', [True, False], ids=['pyyaml', 'fallback'])
def test_control_plane_with_api(module_harness, runner, paths, monkeypatch, pyyaml):
    if not pyyaml:
        monkeypatch.setattr(yaml_compat, 'HAS_PYYAML', False)
    files = paths('admin_conf', 'apiserver_manifest', 'kubelet_conf',
                  kubelet_config=read_fixture('kubelet-1.34-config-reconstructed.txt'))
    versions(runner).on(configmap_query, out=read_fixture('kubeadm-1.34-kubeadm-config-configmap-reconstructed.json'))
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['is_control_plane'] is True and facts['is_joined'] is True
    assert facts['kubeconfig'] == str(files['admin_conf'])
    assert facts['api_reachable'] is True and facts['api_error'] is None
    assert facts['cluster_configuration'] == CP_134
    assert facts['cri_socket'] == 'unix:///var/run/cri-dockerd.sock'
    assert facts['cri_socket_source'] == 'kubelet_config'
    assert facts['yaml_parser'] == ('pyyaml' if pyyaml else 'fallback')
    kubectl = [call for call in runner.calls if call[0] == '/usr/bin/kubectl']
    assert kubectl == [['/usr/bin/kubectl', '--kubeconfig', str(files['admin_conf']), '--request-timeout', '10s',
                        '--namespace', 'kube-system', 'get', 'configmap', 'kubeadm-config', '--output', 'json']]


@pytest.mark.parametrize('pyyaml', [True, False], ids=['pyyaml', 'fallback'])
def test_worker_uses_kubelet_kubeconfig_and_flags_file(module_harness, runner, paths, monkeypatch, pyyaml):
    if not pyyaml:
        monkeypatch.setattr(yaml_compat, 'HAS_PYYAML', False)
    files = paths('kubelet_conf', kubeadm_flags=read_fixture('kubeadm-1.28-kubeadm-flags-reconstructed.env'))
    versions(runner).on(configmap_query, out=read_fixture('kubeadm-1.28-kubeadm-config-configmap-reconstructed.json'))
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['is_control_plane'] is False and facts['is_joined'] is True
    assert facts['kubeconfig'] == str(files['kubelet_conf'])
    assert facts['cluster_configuration'] == dict(
        control_plane_endpoint=None, kubernetes_version='v1.28.15', pod_subnet='10.244.0.0/16',
        service_subnet='10.96.0.0/12', image_repository='registry.k8s.io')
    assert facts['cri_socket'] == 'unix:///run/containerd/containerd.sock'
    assert facts['cri_socket_source'] == 'kubeadm_flags'


def test_kubelet_config_without_endpoint_falls_back_to_flags(module_harness, runner, paths):
    paths(kubelet_config='kind: KubeletConfiguration\ncgroupDriver: systemd\n',
          kubeadm_flags='KUBELET_KUBEADM_ARGS="--container-runtime-endpoint unix:///var/run/cri-dockerd.sock"\n')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    facts = facts_of(result)
    assert facts['cri_socket'] == 'unix:///var/run/cri-dockerd.sock'
    assert facts['cri_socket_source'] == 'kubeadm_flags'


def test_api_not_answering(module_harness, runner, paths):
    paths('admin_conf', 'apiserver_manifest', 'kubelet_conf')
    versions(runner).on(configmap_query, rc=1,
                        err='The connection to the server 192.168.0.100:16443 was refused - did you specify the right '
                            'host or port?\n')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins=ALL_BINS)
    facts = facts_of(result)
    assert facts['is_control_plane'] is True
    assert facts['api_reachable'] is False
    assert 'connection to the server 192.168.0.100:16443 was refused' in facts['api_error']
    assert facts['cluster_configuration'] == EMPTY
    assert facts['cri_socket'] is None


def test_api_answers_garbage(module_harness, runner, paths):
    paths('kubelet_conf')
    runner.on(configmap_query, out='<html>proxy error</html>')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['api_reachable'] is False and 'invalid JSON' in facts['api_error']


def test_configmap_without_cluster_configuration(module_harness, runner, paths):
    paths('kubelet_conf')
    runner.on(configmap_query, out=json.dumps({'kind': 'ConfigMap', 'data': {}}))
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['api_reachable'] is False and 'no ClusterConfiguration' in facts['api_error']


def test_kubectl_missing(module_harness, runner, paths):
    paths('kubelet_conf')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    facts = facts_of(result)
    assert facts['api_reachable'] is False and facts['api_error'] == 'kubectl not found; set kubectl_path'


def test_explicit_kubeconfig_missing(module_harness, runner, paths, tmp_path):
    paths('kubelet_conf')
    missing = str(tmp_path / 'missing.conf')
    kind, result, runner = module_harness(kubeadm_facts.main, dict(kubeconfig=missing), runner,
                                          bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['kubeconfig'] is None and missing in facts['api_error'] and runner.calls == []


def test_cri_socket_from_node_annotation(module_harness, runner, paths):
    paths('kubelet_conf')
    node = {'kind': 'Node', 'metadata': {'name': 'node-1', 'annotations': {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/cri-dockerd.sock',
        'node.alpha.kubernetes.io/ttl': '0'}}}
    runner.on(configmap_query, out=read_fixture('kubeadm-1.34-kubeadm-config-configmap-reconstructed.json'))
    runner.on(lambda a: a[0] == '/usr/bin/kubectl' and 'node' in a, out=json.dumps(node))
    kind, result, runner = module_harness(kubeadm_facts.main, dict(node_name='node-1', request_timeout='3s'), runner,
                                          bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['cri_socket'] == 'unix:///var/run/cri-dockerd.sock'
    assert facts['cri_socket_source'] == 'node_annotation'
    node_call = runner.ran('node')[0]
    assert node_call[-4:] == ['node', 'node-1', '--output', 'json']
    assert node_call[3:5] == ['--request-timeout', '3s']


def test_node_without_annotation(module_harness, runner, paths, monkeypatch):
    paths('kubelet_conf')
    monkeypatch.setattr(kubeadm_facts.socket, 'gethostname', lambda: 'Worker-1.lab')
    runner.on(configmap_query, out=read_fixture('kubeadm-1.34-kubeadm-config-configmap-reconstructed.json'))
    runner.on(lambda a: a[0] == '/usr/bin/kubectl' and 'node' in a, rc=1, err='nodes "worker-1.lab" not found')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={'kubectl': '/usr/bin/kubectl'})
    facts = facts_of(result)
    assert facts['api_reachable'] is True and facts['cri_socket'] is None
    assert runner.ran('node')[0][-3] == 'worker-1.lab'


def test_check_mode_is_the_same(module_harness, runner, paths):
    paths('admin_conf', 'apiserver_manifest')
    kind, result, runner = module_harness(kubeadm_facts.main, dict(_ansible_check_mode=True), versions(runner),
                                          bins={'kubeadm': '/usr/bin/kubeadm', 'kubelet': '/usr/bin/kubelet'})
    facts = facts_of(result)
    assert facts['is_control_plane'] is True and facts['kubeadm_version'] == 'v1.34.4'


def test_control_plane_needs_the_manifest(module_harness, runner, paths):
    paths('admin_conf')
    kind, result, runner = module_harness(kubeadm_facts.main, {}, runner, bins={})
    assert facts_of(result)['is_control_plane'] is False


def test_configured_paths_that_do_not_exist_count_as_missing(module_harness, runner, paths):
    kind, result, runner = module_harness(
        kubeadm_facts.main, dict(kubeadm_path='/opt/missing/kubeadm', kubelet_path='/usr/bin/kubelet'),
        versions(runner), bins={'kubelet': '/usr/bin/kubelet'})
    facts = facts_of(result)
    assert facts['kubeadm_version'] is None and facts['kubelet_version'] == 'v1.34.4'
    assert not any(call[0] == '/opt/missing/kubeadm' for call in runner.calls)
