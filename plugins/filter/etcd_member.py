# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import EtcdError
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import etcd_member as read_member
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: etcd_member
short_description: The etcd member a kubeadm control plane runs, read from its static pod manifest
version_added: 0.2.0
description:
  - Reads C(/etc/kubernetes/manifests/etcd.yaml) as kubeadm writes it and returns what a backup or a restore
    of that member needs - its name and peer URLs, the client URL etcdctl inside the pod talks to, the plain-HTTP
    health URL, the data directory and the host directory mounted there, the CA file and the image.
  - Values come from the manifest, never from defaults, so a restore recreates exactly the member that ran.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The manifest as text, or parsed.
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: Read the etcd manifest
  ansible.builtin.slurp:
    src: /etc/kubernetes/manifests/etcd.yaml
  register: etcd_manifest

- name: Show the member
  ansible.builtin.debug:
    msg: "{{ (etcd_manifest.content | b64decode | duoshou.kubeadm.etcd_member).initial_cluster }}"
'''

RETURN = r'''
_value:
  description: The member.
  type: dict
  contains:
    name: {description: C(--name)., type: str, sample: cp1}
    peer_urls:
      description: C(--initial-advertise-peer-urls), split at commas.
      type: list
      elements: str
      sample: ['https://192.168.0.11:2380']
    initial_cluster:
      description: C(name=peer URL) for each peer URL, the C(--initial-cluster) of a one-member restore.
      type: str
      sample: cp1=https://192.168.0.11:2380
    client_url:
      description: The first of C(--listen-client-urls) (a wildcard address replaced by the loopback one).
      type: str
      sample: https://127.0.0.1:2379
    metrics_url:
      description: The first of C(--listen-metrics-urls), where C(/health) answers over plain HTTP; null without it.
      type: str
      sample: http://127.0.0.1:2381
    data_dir: {description: C(--data-dir) inside the pod., type: str, sample: /var/lib/etcd}
    data_dir_host:
      description: The host path of the volume mounted at C(data_dir); null when none is.
      type: str
      sample: /var/lib/etcd
    trusted_ca_file: {description: C(--trusted-ca-file)., type: str, sample: /etc/kubernetes/pki/etcd/ca.crt}
    image: {description: The container image., type: str, sample: registry.k8s.io/etcd:3.6.5-0}
'''


etcd_member = filter_from('etcd_member', read_member, EtcdError)


class FilterModule:
    def filters(self):
        return {'etcd_member': etcd_member}
