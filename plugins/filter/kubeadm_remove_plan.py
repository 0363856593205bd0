# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import EtcdError
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.remove_node import RemoveNodeError, removal_plan

DOCUMENTATION = r'''
name: kubeadm_remove_plan
short_description: What removing one node from a kubeadm cluster does, or why it must not
version_added: 0.3.0
description:
  - The decision table of C(playbooks/remove_node.yml), taken before anything changes. From the inventory, the Node
    list and, for a control plane, the etcd member list and member health read on a surviving control plane, it
    returns the steps (drain, etcd member removal, reset, Node deletion, haproxy backends) or the refusals.
  - Refuses a node missing from the inventory that the cluster still has, a host outside kube_control_plane and
    kube_workers, a kube_lb host, the only control plane, the control plane whose address is the cluster endpoint,
    a removal that leaves etcd below quorum (or that cannot be committed because quorum is lost already), and an
    even number of etcd members unless O(force_even).
  - A node that is neither in the inventory nor in the cluster, or in the inventory without Node nor etcd member,
    is already removed, not refused.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The node to remove, an inventory hostname (the Node's name).
    type: str
    required: true
  inventory:
    description:
      - C(control_planes), C(workers), C(lb) and C(hosts) (host lists) and C(addresses) (host to cluster address).
    type: dict
    required: true
  nodes:
    description: The C(items) of C(kubectl get nodes -o json); null when not read.
    type: list
    elements: dict
  members:
    description: The output of C(etcdctl member list --write-out json); null when not read.
    type: raw
  health:
    description: The output of C(etcdctl endpoint health --cluster --write-out json); null when not read.
    type: raw
  etcd_error:
    description: Why the etcd members or their health could not be read, for the refusal.
    type: str
    default: ""
  reachable:
    description: Whether the node answered; an unreachable node is not reset.
    type: bool
  force_even:
    description: Accept a removal that leaves an even number of etcd members.
    type: bool
    default: false
  endpoint_host:
    description: The host of the cluster endpoint; a control plane with that address cannot be removed.
    type: str
    default: ""
  via:
    description: The surviving control plane that runs kubectl and etcdctl; empty when none answers.
    type: str
    default: ""
  via_problems:
    description: Why the other control planes cannot serve, one line each.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Decide
  ansible.builtin.set_fact:
    plan: >-
      {{ 'w2' | duoshou.kubeadm.kubeadm_remove_plan(inventory={'control_planes': ['cp1'], 'workers': ['w1', 'w2'],
         'lb': [], 'hosts': ['cp1', 'w1', 'w2'], 'addresses': {}}, nodes=(nodes.stdout | from_json)['items'],
         reachable=true, via='cp1') }}
'''

RETURN = r'''
_value:
  description: The plan.
  type: dict
  contains:
    node: {description: The node., type: str}
    in_inventory: {description: Whether the inventory has it., type: bool}
    control_plane: {description: In kube_control_plane, labelled control-plane, or with an etcd member., type: bool}
    node_object: {description: Whether the cluster has the Node., type: bool}
    ready: {description: Whether the Node is Ready., type: bool}
    member:
      description: Its etcd member (id in hex, name, peer_urls, client_urls, learner), or null.
      type: dict
    quorum:
      description: voters, healthy, voters_after, healthy_after, quorum_after, unhealthy, refusal; null for a worker.
      type: dict
    drain: {description: Drain it (the Node exists and is Ready)., type: bool}
    remove_member: {description: Remove its etcd member., type: bool}
    delete_node: {description: Delete the Node., type: bool}
    reset: {description: Reset the host (it answered)., type: bool}
    backends: {description: Rewrite the haproxy backends without it (a control plane)., type: bool}
    already_removed: {description: No Node and no etcd member are left., type: bool}
    refusals:
      description: Why it must not be removed, each naming the variable and the fix; empty when it may.
      type: list
      elements: str
    lines: {description: What the run does, one line per step., type: list, elements: str}
'''


kubeadm_remove_plan = filter_from('kubeadm_remove_plan', removal_plan, RemoveNodeError, EtcdError)


class FilterModule:
    def filters(self):
        return {'kubeadm_remove_plan': kubeadm_remove_plan}
