#!/usr/bin/python
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: kubeadm_facts
short_description: Gather kubeadm, kubelet and cluster facts from a node
version_added: 0.1.0
description:
  - Reads the installed kubeadm and kubelet versions, whether the node is an initialized control plane or a
    joined node, and the node's CRI socket.
  - The CRI socket comes from C(containerRuntimeEndpoint) in the kubelet configuration
    C(/var/lib/kubelet/config.yaml), else from C(--container-runtime-endpoint) in
    C(/var/lib/kubelet/kubeadm-flags.env), else from the node's C(kubeadm.alpha.kubernetes.io/cri-socket)
    annotation.
  - On a joined node it reads the node's Node object with C(kubectl --output json), using the admin kubeconfig on
    control planes and the kubelet kubeconfig on other nodes. Workers usually have no kubectl; then
    RV(ansible_facts.kubeadm.api_reachable) is V(false) and RV(ansible_facts.kubeadm.api_error) says so.
  - Missing binaries, files or an unreachable API give V(null) values, never a failure.
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
      - Kubeconfig for the API query. Default is C(/etc/kubernetes/admin.conf) on a control plane, else
        C(/etc/kubernetes/kubelet.conf).
    type: path
  node_name:
    description:
      - Name of this node in the cluster, whose Node object the module reads.
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
    description: Timeout for the API request (kubectl C(--request-timeout)).
    type: str
    default: 10s
'''

EXAMPLES = r'''
- name: Gather kubeadm facts
  duoshou.kubeadm.kubeadm_facts:
    node_name: "{{ inventory_hostname }}"

- name: Reset the node with the CRI socket its kubelet uses
  ansible.builtin.command:
    argv: [kubeadm, reset, --force, --cri-socket, "{{ ansible_facts.kubeadm.cri_socket }}"]
  when: ansible_facts.kubeadm.is_joined and ansible_facts.kubeadm.cri_socket
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
          description: Kubeconfig used for the API query, V(null) when none exists.
          type: str
          sample: /etc/kubernetes/admin.conf
        api_reachable:
          description: Whether the node's Node object could be read from the API server.
          type: bool
        api_error:
          description: Why the API could not be queried (no kubectl, no answer), V(null) when it could or when
            the node has no kubeconfig.
          type: str
          sample: kubectl not found; set kubectl_path
        cri_socket:
          description: The node's CRI endpoint, V(null) when unknown.
          type: str
          sample: unix:///var/run/cri-dockerd.sock
        cri_socket_source:
          description: Where RV(ansible_facts.kubeadm.cri_socket) came from.
          type: str
          choices: [kubelet_config, kubeadm_flags, node_annotation]
'''

import json
import os
import re
import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.duoshou.kubeadm.plugins.module_utils.common import ADMIN_KUBECONFIG, is_executable

# Paths kubeadm uses; a dict so that tests can point them at temporary files.
PATHS = {
    'admin_conf': ADMIN_KUBECONFIG,
    'apiserver_manifest': '/etc/kubernetes/manifests/kube-apiserver.yaml',
    'kubelet_conf': '/etc/kubernetes/kubelet.conf',
    'kubelet_config': '/var/lib/kubelet/config.yaml',
    'kubeadm_flags': '/var/lib/kubelet/kubeadm-flags.env',
}

CRI_SOCKET_ANNOTATION = 'kubeadm.alpha.kubernetes.io/cri-socket'
_VERSION_RE = re.compile(r'v\d+\.\d+\.\d+\S*')
_FLAG_ENDPOINT_RE = re.compile(r'--container-runtime-endpoint[= ]+["\']?([^\s"\']+)')
# The one top-level key of the kubelet configuration this module needs; Go writes it unquoted at column 0.
_CONFIG_ENDPOINT_RE = re.compile(r'^containerRuntimeEndpoint:[ \t]+["\']?([^\s"\'#]+)', re.MULTILINE)


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
    except OSError:
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


def _local_cri_socket():
    for key, pattern in (('kubelet_config', _CONFIG_ENDPOINT_RE), ('kubeadm_flags', _FLAG_ENDPOINT_RE)):
        match = pattern.search(_read_text(PATHS[key]) or '')
        if match:
            return match.group(1), key
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
        cri_socket=None,
        cri_socket_source=None,
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
        node_name = params['node_name'] or socket.gethostname().lower()
        node, facts['api_error'] = _kubectl_json(module, kubectl, kubeconfig,
                                                 ['get', 'node', node_name, '--output', 'json'])
        facts['api_reachable'] = node is not None
        metadata = node.get('metadata') if isinstance(node, dict) else None
        annotations = (metadata.get('annotations') if isinstance(metadata, dict) else None) or {}
        if not facts['cri_socket'] and annotations.get(CRI_SOCKET_ANNOTATION):
            facts['cri_socket'] = annotations[CRI_SOCKET_ANNOTATION]
            facts['cri_socket_source'] = 'node_annotation'

    module.exit_json(changed=False, ansible_facts=dict(kubeadm=facts))


if __name__ == '__main__':
    main()
