# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.module_utils.join import JoinInfoError, build_join_command
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: kubeadm_join_command
short_description: Build a one-line kubeadm join command
version_added: 0.1.0
description:
  - Builds C(kubeadm join) with every argument shell-quoted, from a dict such as the one
    P(duoshou.kubeadm.kubeadm_join_info#filter) or M(duoshou.kubeadm.kubeadm_token) returns.
  - Meant for people who join nodes by hand; the collection's roles join with JoinConfiguration files
    so that no secret is on a command line.
  - The command contains the token (and the certificate key for control planes); treat it as a secret.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: Dict with C(api_server_endpoint), C(token), C(ca_cert_hashes) (or C(ca_cert_hash)) and
      optionally C(certificate_key).
    type: dict
    required: true
  control_plane:
    description: Build a control-plane join (C(--control-plane --certificate-key)).
    type: bool
    default: false
  certificate_key:
    description:
      - Certificate key for a control-plane join; default is the dict's C(certificate_key).
      - Giving it with O(control_plane=false) is an error.
    type: str
  cri_socket:
    description: Value for C(--cri-socket).
    type: str
  node_name:
    description: Value for C(--node-name).
    type: str
  apiserver_advertise_address:
    description: Value for C(--apiserver-advertise-address); only for control-plane joins.
    type: str
'''

EXAMPLES = r'''
- name: Show the worker join command for people joining by hand
  ansible.builtin.debug:
    msg: "{{ cluster_join_info | duoshou.kubeadm.kubeadm_join_command(cri_socket='unix:///var/run/cri-dockerd.sock') }}"
  no_log: true

- name: Control-plane join command with a fresh certificate key
  ansible.builtin.debug:
    msg: >-
      {{ cluster_join_info | duoshou.kubeadm.kubeadm_join_command(control_plane=true,
         certificate_key=control_plane_certificate_key.certificate_key) }}
  no_log: true
'''

RETURN = r'''
_value:
  description: The command on one line.
  type: string
  sample: kubeadm join 192.168.0.100:16443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:0123...
'''


# Takes the keyword options documented above, as build_join_command does.
kubeadm_join_command = filter_from('kubeadm_join_command', build_join_command, JoinInfoError)


class FilterModule:
    def filters(self):
        return {'kubeadm_join_command': kubeadm_join_command}
