# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.module_utils.join import JoinInfoError, parse_join_info
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: kubeadm_join_info
short_description: Extract join data from kubeadm output
version_added: 0.1.0
description:
  - Parses the output of C(kubeadm init) or C(kubeadm token create --print-join-command) and returns the
    API server endpoint, token, CA certificate hashes, certificate key and the join commands.
  - Copes with backslash continuations (tabs or spaces), CRLF line ends, log lines around the commands
    and repeated C(--discovery-token-ca-cert-hash).
  - Understands the kubeadm 1.2x and 1.3x shapes - single control plane (worker command only), HA with
    C(--upload-certs) (control-plane command with C(--certificate-key)) and HA without it.
  - The result contains secrets (token, certificate key); use C(no_log) on tasks that show it.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: kubeadm's standard output (a string; bytes are decoded as UTF-8).
    type: raw
    required: true
seealso:
  - plugin: duoshou.kubeadm.kubeadm_join_command
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Pull the join data out of a recorded kubeadm init
  ansible.builtin.set_fact:
    cluster_join_info: "{{ cluster_init_result.stdout | duoshou.kubeadm.kubeadm_join_info }}"
  no_log: true
# cluster_join_info.api_server_endpoint -> "192.168.0.100:16443"
# cluster_join_info.ca_cert_hashes      -> ["sha256:..."]
'''

RETURN = r'''
_value:
  description: The join data.
  type: dict
  contains:
    api_server_endpoint:
      description: C(host:port) the nodes join (IPv6 addresses in brackets).
      type: str
      sample: 192.168.0.100:16443
    token:
      description: The bootstrap token.
      type: str
      sample: abcdef.0123456789abcdef
    ca_cert_hashes:
      description: Every C(--discovery-token-ca-cert-hash) value, in order.
      type: list
      elements: str
    certificate_key:
      description: The C(--certificate-key) of the control-plane command, V(null) without C(--upload-certs).
      type: str
    control_plane_join_command:
      description: The control-plane join command on one line, V(null) when kubeadm printed none.
      type: str
    worker_join_command:
      description:
        - The worker join command on one line. When only a control-plane command was printed, that command
          without C(--control-plane) and C(--certificate-key).
      type: str
'''


kubeadm_join_info = filter_from('kubeadm_join_info', parse_join_info, JoinInfoError)


class FilterModule:
    def filters(self):
        return {'kubeadm_join_info': kubeadm_join_info}
