# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/remove_node.yml: what removing one node does, or why it must not, decided before anything changes.

Controller-side helper of the kubeadm_remove_plan filter. Every input is what the playbook read (the inventory,
``kubectl get nodes -o json``, ``etcdctl member list`` and ``endpoint health`` on a surviving control plane,
whether the node answered); the result names each step, or the refusals, each with its variable and its fix.
"""

from ansible_collections.duoshou.kubeadm.plugins.filter.kubernetes_not_ready import kubernetes_not_ready
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.etcd import (
    EtcdError,
    endpoint_health,
    find_member,
    member_list,
    removal_quorum,
)

VARIABLE = 'kubeadm_remove_node'
FORCE_EVEN = 'kubeadm_remove_force_even'
CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane'


class RemoveNodeError(ValueError):
    pass


def _node_object(nodes, name):
    for item in nodes or []:
        if (item.get('metadata') or {}).get('name') == name:
            return item
    return None


def _node_addresses(item):
    return [entry.get('address') for entry in ((item or {}).get('status') or {}).get('addresses') or []
            if entry.get('type') in ('InternalIP', 'ExternalIP') and entry.get('address')]


def _inventory(inventory):
    if not isinstance(inventory, dict):
        raise RemoveNodeError('inventory must be a dict with control_planes, workers, lb, hosts and addresses')
    lists = {key: [str(host) for host in inventory.get(key) or []]
             for key in ('control_planes', 'workers', 'lb', 'hosts')}
    lists['addresses'] = {str(host): str(address or '') for host, address in (inventory.get('addresses') or {}).items()}
    return lists


def removal_plan(node, inventory, nodes=None, members=None, health=None, etcd_error='', reachable=None,
                 force_even=False, endpoint_host='', via='', via_problems=()):
    """The plan for removing ``node`` (an inventory hostname, the Node's name in this collection).

    ``inventory``: control_planes, workers, lb, hosts (every inventory host) and addresses (host -> cluster
    address). ``nodes``: the items of ``kubectl get nodes -o json`` read on ``via`` (None: unread).
    ``members``, ``health``: the output of ``etcdctl member list --write-out json`` and of ``endpoint health
    --cluster --write-out json`` there (None or unparsable: ``etcd_error`` says why). ``reachable``: whether
    the node answered. ``via_problems``: why other control planes could not serve (one line each).

    Returns node, in_inventory, control_plane, node_object, ready, member (or None), quorum (or None), the
    steps drain, remove_member, delete_node, reset, backends, already_removed, refusals and lines (what the
    run does, one line per step).
    """
    name = str(node or '').strip()
    inv = _inventory(inventory)
    cluster_nodes = inv['control_planes'] + [host for host in inv['workers'] if host not in inv['control_planes']]
    plan = {'node': name, 'in_inventory': name in inv['hosts'], 'control_plane': False, 'node_object': False,
            'ready': False, 'member': None, 'quorum': None, 'drain': False, 'remove_member': False,
            'delete_node': False, 'reset': False, 'backends': False, 'already_removed': False,
            'refusals': [], 'lines': []}
    refusals = plan['refusals']
    if not name:
        refusals.append('%s is not set: name the node to remove, -e %s=<inventory hostname> (nodes: %s)'
                        % (VARIABLE, VARIABLE, ', '.join(cluster_nodes)))
        return plan
    fix_name = '%s=%s: ' % (VARIABLE, name)

    item = _node_object(nodes, name)
    plan['node_object'] = item is not None
    parsed_members = None
    # Ansible hands over an unread output as None or as an empty string.
    members = members if members not in ('', None) else None
    health = health if health not in ('', None) else None
    if members is not None:
        try:
            parsed_members = member_list(members)
        except EtcdError as exc:
            etcd_error = etcd_error or str(exc)
    addresses = [inv['addresses'].get(name, '')] + _node_addresses(item)
    member = find_member(parsed_members, name, addresses) if parsed_members else None
    plan['member'] = member
    labels = ((item or {}).get('metadata') or {}).get('labels') or {}
    plan['control_plane'] = name in inv['control_planes'] or CONTROL_PLANE_LABEL in labels or member is not None

    if not plan['in_inventory']:
        if item is None and member is None:
            plan['already_removed'] = True
            plan['lines'].append('%s is neither in the inventory nor a Node of the cluster%s: already removed, nothing '
                                 'to do (the inventory has the nodes %s)'
                                 % (name, ' nor an etcd member' if parsed_members else '', ', '.join(cluster_nodes)))
            return plan
        group = 'kube_control_plane' if plan['control_plane'] else 'kube_workers'
        refusals.append('%s%s is still %s of the cluster but not in the inventory, so it can be neither reached nor '
                        'reset: put it back under %s as it was (ansible_host, cluster_node_ip) and run again; take it '
                        'out of the inventory once this playbook has finished'
                        % (fix_name, name, 'a Node and an etcd member' if item is not None and member is not None
                           else 'a Node' if item is not None else 'an etcd member', group))
        return plan
    if name not in cluster_nodes:
        refusals.append('%s%s is in the inventory but in neither kube_control_plane nor kube_workers: this playbook '
                        'removes Kubernetes nodes (nodes: %s)' % (fix_name, name, ', '.join(cluster_nodes)))
        return plan
    if name in inv['lb']:
        refusals.append('%s%s is also a load balancer (kube_lb) and may hold the VIP: take it out of kube_lb first, '
                        'run site.yml --limit kube_lb --tags haproxy_keepalived, stop haproxy and keepalived on %s, '
                        'then run this playbook again (docs/operations.md, "Removing a node")' % (fix_name, name, name))
    others = [host for host in inv['control_planes'] if host != name]
    if plan['control_plane'] and not others:
        refusals.append('%s%s is the only control plane: removing it is removing the cluster; run playbooks/reset.yml '
                        '(docs/operations.md, "Reset") instead' % (fix_name, name))
        return plan
    if not via:
        refusals.append('%sno other control plane answers, and every step runs kubectl (and etcdctl) on one: %s. '
                        'Bring one back, then run again'
                        % (fix_name, '; '.join(via_problems) or 'none in the inventory'))
        return plan
    own = {address for address in addresses if address}
    if plan['control_plane'] and endpoint_host and endpoint_host in own:
        refusals.append('%sthe cluster endpoint %s is %s\'s own address: every kubeconfig and kubelet reaches the API '
                        'there, and the endpoint is fixed at kubeadm init. A cluster built on one control plane\'s '
                        'address cannot lose that one: remove another control plane, or rebuild behind a VIP'
                        % (fix_name, endpoint_host, name))

    if plan['control_plane']:
        if parsed_members is None:
            refusals.append('%sthe etcd members could not be read on %s (%s): a control plane is removed only when '
                            'etcd can be asked whether the rest keeps its quorum'
                            % (fix_name, via, etcd_error or 'no output'))
        elif member is not None:
            try:
                parsed_health = endpoint_health(health) if health is not None else None
            except EtcdError as exc:
                parsed_health, etcd_error = None, str(exc)
            if parsed_health is None:
                refusals.append('%setcd on %s did not say which members are healthy (%s): run again when it answers'
                                % (fix_name, via, etcd_error or 'no output'))
            else:
                counts = removal_quorum(parsed_members, parsed_health, member)
                plan['quorum'] = counts
                if counts['refusal']:
                    refusals.append('%s%s. Bring the unhealthy members back first (or, without quorum, restore etcd: '
                                    'docs/operations.md, "Restoring etcd on several control planes")'
                                    % (fix_name, counts['refusal']))
                elif counts['voters_after'] % 2 == 0 and not force_even:
                    left = counts['voters_after']
                    refusals.append('%sremoving %s would leave %d etcd members: an even count survives no more '
                                    'failures than one member less (%d of %d may fail) and validate.yml refuses it. '
                                    'Add a control plane first, or remove anyway with -e %s=true'
                                    % (fix_name, name, left, left - counts['quorum_after'], left, FORCE_EVEN))
    if refusals:
        return plan

    not_ready = kubernetes_not_ready([item]) if item is not None else []
    plan['ready'] = item is not None and not not_ready
    # A host that does not answer has no kubelet to stop its pods: a drain would wait for them in vain,
    # even while its Node still reads Ready (the node monitor's grace period after a power cut).
    plan['drain'] = plan['ready'] and bool(reachable)
    plan['remove_member'] = member is not None
    plan['delete_node'] = item is not None
    plan['reset'] = bool(reachable)
    plan['backends'] = plan['control_plane']
    plan['already_removed'] = item is None and member is None
    lines = plan['lines']
    if plan['already_removed']:
        lines.append('%s is already removed from the cluster (no Node%s)'
                     % (name, ', no etcd member' if plan['control_plane'] else ''))
    if plan['drain']:
        lines.append('drain %s on %s (PodDisruptionBudgets respected)' % (name, via))
    elif plan['ready']:
        lines.append('no drain: %s does not answer (its Node still reads Ready); its pods are deleted with the Node '
                     'and started elsewhere' % name)
    elif item is not None:
        lines.append('no drain: %s; its pods are deleted with the Node and started elsewhere' % not_ready[0])
    if plan['backends'] and inv['lb']:
        lines.append('haproxy backends without %s on %s, one at a time (reload)' % (name, ', '.join(inv['lb'])))
    if member is not None:
        counts = plan['quorum']
        lines.append('remove etcd member %s (%s, %s) on %s: %d members left, %d healthy, quorum %d'
                     % (member['name'] or name, member['id'], ', '.join(member['peer_urls']), via,
                        counts['voters_after'], counts['healthy_after'], counts['quorum_after']))
    elif plan['control_plane'] and not plan['already_removed']:
        lines.append('no etcd member of %s left (removed before)' % name)
    if reachable:
        lines.append('reset %s (kubeadm reset%s, CNI, iptables rules)'
                     % (name, ' without removing its etcd member again' if plan['control_plane'] else ''))
    else:
        lines.append('%s does not answer: not reset. Before it comes back, wipe it (kubeadm reset) or keep it off: '
                     'its kubelet would register the Node again' % name)
    if item is not None:
        lines.append('delete Node %s' % name)
    lines.append('/etc/hosts of the other nodes without %s' % name)
    return plan
