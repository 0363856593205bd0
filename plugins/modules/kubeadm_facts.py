#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: kubeadm_facts
short_description: Gather kubeadm, kubelet and cluster facts from a node
version_added: 0.1.0
description:
  - Reads the installed kubeadm and kubelet versions, whether the node is an initialized control plane or a
    joined node, the node's CRI socket and, when the API server answers, the cluster's
    C(kube-system/kubeadm-config) ClusterConfiguration.
  - Missing binaries, files or an unreachable API give V(null) values, never a failure.
  - Uses C(kubectl) with the admin kubeconfig on control planes and the kubelet kubeconfig on other nodes
    (kubeadm lets nodes read C(kubeadm-config)).
  - Parses YAML with PyYAML when the node has it, otherwise with a small built-in parser that covers the
    machine-generated YAML kubeadm and the kubelet write.
author:
  - duoshou.kubeadm maintainers (@duoshou)
extends_documentation_fragment:
  - duoshou.kubeadm.kubeadm.attributes
attributes:
  check_mode:
    details: Read-only; runs the same way in check mode.
  facts:
    description: Returns C(ansible_facts) that update the host's facts.
    support: full
options:
  kubeconfig:
    description:
      - Kubeconfig for the API queries. Default is C(/etc/kubernetes/admin.conf) on a control plane, else
        C(/etc/kubernetes/kubelet.conf).
    type: path
  node_name:
    description:
      - Name of this node in the cluster, for the CRI socket annotation.
      - Default is the host name in lower case, as kubeadm names nodes.
    type: str
  kubeadm_path:
    description: Path of kubeadm. Default is C(kubeadm) on E(PATH). A path that does not exist means "not installed".
    type: path
  kubelet_path:
    description: Path of kubelet. Default is C(kubelet) on E(PATH).
    type: path
  kubectl_path:
    description: Path of kubectl. Default is C(kubectl) on E(PATH).
    type: path
  request_timeout:
    description: Timeout for each API request (kubectl C(--request-timeout)).
    type: str
    default: 10s
'''

EXAMPLES = r'''
- name: Gather kubeadm facts
  duoshou.kubeadm.kubeadm_facts:
    node_name: "{{ inventory_hostname }}"

- name: Skip kubeadm init on a control plane that already has one
  ansible.builtin.debug:
    msg: "Cluster {{ ansible_facts.kubeadm.cluster_configuration.kubernetes_version }} already initialized"
  when: ansible_facts.kubeadm.is_control_plane
'''

RETURN = r'''
ansible_facts:
  description: Facts to add to ansible_facts.
  returned: always
  type: dict
  contains:
    kubeadm:
      description: kubeadm facts of this node.
      returned: always
      type: dict
      contains:
        kubeadm_version:
          description: Output of C(kubeadm version -o short), V(null) without kubeadm.
          type: str
          sample: v1.34.4
        kubelet_version:
          description: Version from C(kubelet --version), V(null) without kubelet.
          type: str
          sample: v1.34.4
        is_control_plane:
          description: C(/etc/kubernetes/admin.conf) and C(/etc/kubernetes/manifests/kube-apiserver.yaml) exist.
          type: bool
        is_joined:
          description: C(/etc/kubernetes/kubelet.conf) exists (true on control planes too).
          type: bool
        kubeconfig:
          description: Kubeconfig used for API queries, V(null) when none exists.
          type: str
          sample: /etc/kubernetes/admin.conf
        api_reachable:
          description: Whether the C(kubeadm-config) ConfigMap could be read.
          type: bool
        api_error:
          description: Why the API could not be queried, V(null) when it could.
          type: str
        cluster_configuration:
          description: Fields of the ClusterConfiguration; all V(null) when the API did not answer.
          type: dict
          contains:
            control_plane_endpoint:
              description: C(controlPlaneEndpoint), V(null) when unset.
              type: str
              sample: 192.168.0.100:16443
            kubernetes_version:
              description: C(kubernetesVersion).
              type: str
              sample: v1.34.4
            pod_subnet:
              description: C(networking.podSubnet).
              type: str
              sample: 10.244.0.0/16
            service_subnet:
              description: C(networking.serviceSubnet).
              type: str
              sample: 10.96.0.0/12
            image_repository:
              description: C(imageRepository).
              type: str
              sample: registry.k8s.io
        cri_socket:
          description: The node's CRI endpoint, V(null) when unknown.
          type: str
          sample: unix:///var/run/cri-dockerd.sock
        cri_socket_source:
          description: Where RV(ansible_facts.kubeadm.cri_socket) came from.
          type: str
          choices: [kubelet_config, kubeadm_flags, node_annotation]
        yaml_parser:
          description: V(pyyaml) or V(fallback), the YAML parser used on this node.
          type: str
'''

import json
import os
import re
import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.duoshou.kubeadm.plugins.module_utils.common import is_executable
from ansible_collections.duoshou.kubeadm.plugins.module_utils.yaml_compat import YamlError
from ansible_collections.duoshou.kubeadm.plugins.module_utils.yaml_compat import load as load_yaml

# Paths kubeadm uses; a dict so that tests can point them at temporary files.
PATHS = {
    'admin_conf': '/etc/kubernetes/admin.conf',
    'apiserver_manifest': '/etc/kubernetes/manifests/kube-apiserver.yaml',
    'kubelet_conf': '/etc/kubernetes/kubelet.conf',
    'kubelet_config': '/var/lib/kubelet/config.yaml',
    'kubeadm_flags': '/var/lib/kubelet/kubeadm-flags.env',
}

CRI_SOCKET_ANNOTATION = 'kubeadm.alpha.kubernetes.io/cri-socket'
_VERSION_RE = re.compile(r'v\d+\.\d+\.\d+\S*')
_FLAG_ENDPOINT_RE = re.compile(r'--container-runtime-endpoint[= ]+["\']?([^\s"\']+)')


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            kubeconfig=dict(type='path'),
            node_name=dict(type='str'),
            kubeadm_path=dict(type='path'),
            kubelet_path=dict(type='path'),
            kubectl_path=dict(type='path'),
            request_timeout=dict(type='str', default='10s'),
        ),
        supports_check_mode=True,
    )


def _exists(path):
    return os.path.isfile(path)


def _read_text(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')
    except (IOError, OSError):
        return None


def _binary(module, option, name):
    path = module.params[option]
    if path:
        # A configured path that is not there counts as "not installed", like a binary missing from PATH.
        return path if is_executable(path) else None
    return module.get_bin_path(name)


def _version(module, binary, args):
    if not binary:
        return None
    rc, out, dummy = module.run_command([binary] + args)
    if rc != 0:
        return None
    match = _VERSION_RE.search(out)
    return match.group(0) if match else None


def cluster_configuration_fields(config):
    config = config if isinstance(config, dict) else {}
    networking = config.get('networking') if isinstance(config.get('networking'), dict) else {}
    return dict(
        control_plane_endpoint=config.get('controlPlaneEndpoint') or None,
        kubernetes_version=config.get('kubernetesVersion'),
        pod_subnet=networking.get('podSubnet'),
        service_subnet=networking.get('serviceSubnet'),
        image_repository=config.get('imageRepository'),
    )


def _local_cri_socket():
    text = _read_text(PATHS['kubelet_config'])
    if text:
        try:
            data, dummy = load_yaml(text)
        except YamlError:
            data = None
        if isinstance(data, dict) and data.get('containerRuntimeEndpoint'):
            return data['containerRuntimeEndpoint'], 'kubelet_config'
    text = _read_text(PATHS['kubeadm_flags'])
    if text:
        match = _FLAG_ENDPOINT_RE.search(text)
        if match:
            return match.group(1), 'kubeadm_flags'
    return None, None


def _kubectl_json(module, kubectl, kubeconfig, args):
    cmd = [kubectl, '--kubeconfig', kubeconfig, '--request-timeout', module.params['request_timeout']] + args
    rc, out, err = module.run_command(cmd)
    if rc != 0:
        return None, '%s failed (rc=%d): %s' % (' '.join(args), rc, (err or out).strip())
    try:
        return json.loads(out), None
    except ValueError as exc:
        return None, '%s printed invalid JSON: %s' % (' '.join(args), exc)


def main():
    module = build_module()
    params = module.params
    facts = dict(
        kubeadm_version=_version(module, _binary(module, 'kubeadm_path', 'kubeadm'), ['version', '-o', 'short']),
        kubelet_version=_version(module, _binary(module, 'kubelet_path', 'kubelet'), ['--version']),
        is_control_plane=_exists(PATHS['admin_conf']) and _exists(PATHS['apiserver_manifest']),
        is_joined=_exists(PATHS['kubelet_conf']),
        kubeconfig=None,
        api_reachable=False,
        api_error=None,
        cluster_configuration=cluster_configuration_fields(None),
        cri_socket=None,
        cri_socket_source=None,
        yaml_parser=load_yaml('{}')[1],
    )

    kubeconfig = params['kubeconfig']
    if not kubeconfig:
        if facts['is_control_plane']:
            kubeconfig = PATHS['admin_conf']
        elif facts['is_joined']:
            kubeconfig = PATHS['kubelet_conf']
    if kubeconfig and not _exists(kubeconfig):
        facts['api_error'] = 'kubeconfig %s does not exist' % kubeconfig
        kubeconfig = None
    facts['kubeconfig'] = kubeconfig

    facts['cri_socket'], facts['cri_socket_source'] = _local_cri_socket()

    kubectl = _binary(module, 'kubectl_path', 'kubectl')
    if kubeconfig and not kubectl:
        facts['api_error'] = 'kubectl not found; set kubectl_path'
    elif kubeconfig:
        configmap, error = _kubectl_json(module, kubectl, kubeconfig,
                                         ['--namespace', 'kube-system', 'get', 'configmap', 'kubeadm-config',
                                          '--output', 'json'])
        if configmap is not None:
            text = ((configmap.get('data') or {}) if isinstance(configmap, dict) else {}).get('ClusterConfiguration')
            if not text:
                error = 'the kubeadm-config ConfigMap has no ClusterConfiguration'
            else:
                try:
                    cluster, dummy = load_yaml(text)
                except YamlError as exc:
                    error = 'cannot parse ClusterConfiguration: %s' % exc
                else:
                    facts['api_reachable'] = True
                    facts['cluster_configuration'] = cluster_configuration_fields(cluster)
        facts['api_error'] = error
        if facts['api_reachable'] and not facts['cri_socket']:
            node_name = params['node_name'] or socket.gethostname().lower()
            node, dummy = _kubectl_json(module, kubectl, kubeconfig, ['get', 'node', node_name, '--output', 'json'])
            annotations = ((node or {}).get('metadata') or {}).get('annotations') or {}
            if annotations.get(CRI_SOCKET_ANNOTATION):
                facts['cri_socket'] = annotations[CRI_SOCKET_ANNOTATION]
                facts['cri_socket_source'] = 'node_annotation'

    module.exit_json(changed=False, ansible_facts=dict(kubeadm=facts))


if __name__ == '__main__':
    main()
