# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The running cluster's Calico IP pool compared with the inventory.

calico-node reads CALICO_IPV4POOL_* only when it creates the default pool. On a running cluster a changed
setting would reach the DaemonSet (backend, probes) but not the pool, which leaves pod traffic between
nodes half-configured. The filter ``calico_pool_problems`` exposes ``pool_problems``.
"""

import ipaddress

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import DASH, to_text

# calico-node's default when CALICO_IPV4POOL_BLOCK_SIZE is not set (IPv4).
DEFAULT_IPV4_BLOCK_SIZE = 26


class PoolInputError(ValueError):
    """The arguments do not describe a pool or the wanted settings."""


def _same_network(left, right):
    try:
        return ipaddress.ip_network(to_text(left), strict=False) == ipaddress.ip_network(to_text(right), strict=False)
    except ValueError:
        return to_text(left) == to_text(right)


def pool_problems(live_pool, encapsulation, encapsulations, cidr, block_size=0, host='the first control plane'):
    """Problems of a rerun that would change the live default IP pool's settings.

    ``live_pool``: the IPPool object (``kubectl get ippool -o json``), or empty when there is none yet.
    ``encapsulations``: the calico role's table, name -> {ipip, vxlan, ...}; ``encapsulation`` one of its names.
    """
    if not live_pool:
        return []
    if not isinstance(live_pool, dict) or not isinstance(live_pool.get('spec'), dict):
        raise PoolInputError('expected an IPPool object with a spec, got %r' % (live_pool,))
    if encapsulation not in (encapsulations or {}):
        raise PoolInputError('unknown encapsulation %r (known: %s)'
                             % (encapsulation, ', '.join(sorted(encapsulations or {}))))
    spec = live_pool['spec']
    name = to_text((live_pool.get('metadata') or {}).get('name') or 'default-ipv4-ippool')
    fix = 'Calico applies these only when it creates the pool, so a rerun would change calico-node but not the pool'
    problems = []

    live_modes = (to_text(spec.get('ipipMode') or 'Never'), to_text(spec.get('vxlanMode') or 'Never'))
    wanted = encapsulations[encapsulation]
    if live_modes != (to_text(wanted['ipip']), to_text(wanted['vxlan'])):
        running = [key for key, value in sorted(encapsulations.items())
                   if (to_text(value['ipip']), to_text(value['vxlan'])) == live_modes]
        problems.append('calico_encapsulation: %s, but the IP pool %s on %s has ipipMode %s and vxlanMode %s (%s)%s%s; '
                        'set calico_encapsulation back to %s, or migrate the pool first as docs/operations.md '
                        '("Changing the pod network") describes'
                        % (encapsulation, name, host, live_modes[0], live_modes[1],
                           'calico_encapsulation: ' + running[0] if running else 'set outside this collection',
                           DASH, fix, running[0] if running else 'the pool\'s modes'))

    if cidr and spec.get('cidr') and not _same_network(spec['cidr'], cidr):
        problems.append('calico_ipv4pool_cidr: %s, but the IP pool %s on %s is %s%s%s, and every running pod has an '
                        'address from it; set calico_ipv4pool_cidr back to %s, or build a new cluster'
                        % (cidr, name, host, spec['cidr'], DASH, fix, spec['cidr']))

    wanted_block = int(block_size or 0) or DEFAULT_IPV4_BLOCK_SIZE
    live_block = spec.get('blockSize')
    if live_block is not None and int(live_block) != wanted_block:
        problems.append('calico_ipv4pool_block_size: %s, but the IP pool %s on %s uses blocks of /%s%s%s; '
                        'set calico_ipv4pool_block_size back to %s'
                        % (block_size or '0 (Calico\'s /%d)' % DEFAULT_IPV4_BLOCK_SIZE, name, host, live_block, DASH,
                           fix, live_block))
    return problems
