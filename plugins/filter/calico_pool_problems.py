# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.pod_network import (
    PoolInputError,
    pool_problems,
)

DOCUMENTATION = r'''
name: calico_pool_problems
short_description: Settings a rerun would change in the running cluster's Calico IP pool
version_added: 0.2.0
description:
  - Compares the default IP pool that calico-node created (C(kubectl get ippool -o json)) with the inventory's
    encapsulation, pool CIDR and block size.
  - Calico reads these settings only when it creates the pool, so a changed value would reach calico-node but not the
    pool; each difference is a problem that names the variable, the value the cluster runs with, and the fix.
  - Used by C(duoshou.kubeadm.calico) C(tasks_from=preflight) before anything on a host changes.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The IPPool object; empty (no pool yet) gives no problems.
    type: dict
    required: true
  encapsulation:
    description: The wanted encapsulation, a key of O(encapsulations).
    type: str
    required: true
  encapsulations:
    description: The calico role's table C(calico_encapsulation_settings), name -> C(ipip) and C(vxlan) pool modes.
    type: dict
    required: true
  cidr:
    description: The wanted pool CIDR; empty is not compared.
    type: str
    required: true
  block_size:
    description: The wanted block size; 0 means Calico's default, 26.
    type: int
    default: 0
  host:
    description: The host the pool was read on, named in the messages.
    type: str
    default: the first control plane
'''

EXAMPLES = r'''
- name: Refuse a changed encapsulation on a running cluster
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems }}"
  vars:
    problems: >-
      {{ live_pool.stdout | from_json | duoshou.kubeadm.calico_pool_problems(
           encapsulation='VXLAN', encapsulations=calico_encapsulation_settings, cidr='10.244.0.0/16') }}
'''

RETURN = r'''
_value:
  description: One message per setting that differs; empty when the inventory matches the pool.
  type: list
  elements: str
'''


calico_pool_problems = filter_from('calico_pool_problems', pool_problems, PoolInputError)


class FilterModule:
    def filters(self):
        return {'calico_pool_problems': calico_pool_problems}
