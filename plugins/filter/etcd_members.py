# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import EtcdError, member_list
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: etcd_members
short_description: The members etcdctl member list printed, with their IDs as etcdctl member remove takes them
version_added: 0.3.0
description:
  - Reads the output of C(etcdctl member list --write-out json) (warning lines before the JSON are skipped) and
    returns one entry per member. IDs, printed as decimal uint64 numbers (or hex strings with C(--hex)), become the
    hex form C(etcdctl member remove) takes.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The output, as text, or parsed.
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: Show the members
  ansible.builtin.debug:
    msg: "{{ listing.stdout | duoshou.kubeadm.etcd_members | map(attribute='name') | list }}"
'''

RETURN = r'''
_value:
  description: The members, in etcdctl's order.
  type: list
  elements: dict
  contains:
    id: {description: Hex ID, lower case., type: str, sample: 8e9e05c52164694d}
    name:
      description: The member name (the node's with kubeadm); empty for a member added but never started.
      type: str
    peer_urls: {description: Peer URLs., type: list, elements: str}
    client_urls: {description: Client URLs; empty until it started., type: list, elements: str}
    learner: {description: Whether it is a learner (no vote)., type: bool}
'''


etcd_members = filter_from('etcd_members', member_list, EtcdError)


class FilterModule:
    def filters(self):
        return {'etcd_members': etcd_members}
