# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Networks and node addresses of an inventory: pod, service and node subnets, the Calico pool, cluster_node_ip."""

import ipaddress

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import (
    DASH,
    is_str,
    to_ip,
    to_port,
    to_text,
)

# Docker's default bridge: a pod or service network over it makes traffic to
# those addresses go to docker0 instead of the other nodes.
DOCKER_BRIDGE = ipaddress.ip_network('172.17.0.0/16')


def _parses(value):
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def parse_cidr(variable, value, problems, example):
    """Parse a CIDR; on failure append a problem and return None."""
    if not is_str(value) or not value.strip():
        problems.append('%s: %r is not a CIDR%swrite it like %s' % (variable, value, DASH, example))
        return None
    value = value.strip()
    if ',' in value:
        problems.append('%s: %r lists several networks%sdual-stack is not supported; keep one CIDR like %s'
                        % (variable, value, DASH, example))
        return None
    if '/' not in value:
        problems.append('%s: %r has no prefix length%swrite it like %s' % (variable, value, DASH, example))
        return None
    if not value.rsplit('/', 1)[1].isdigit():
        # Python reads /255.255.0.0 as a netmask; kubeadm's Go parser (net.ParseCIDR) refuses it.
        loose = ipaddress.ip_network(value, strict=False) if _parses(value) else None
        problems.append('%s: %r gives a netmask, not a prefix length%swrite it like %s'
                        % (variable, value, DASH, loose or example))
        return None
    try:
        return ipaddress.ip_network(value)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(value, strict=False)
    except ValueError:
        problems.append('%s: %r is not a CIDR%swrite it like %s' % (variable, value, DASH, example))
        return None
    problems.append('%s: %r has host bits set%swrite the network address: %s' % (variable, value, DASH, loose))
    return None


def network_problems(inv, settings):
    """Check the networks; return {'pod', 'service', 'node_subnet'} (None for each that is unusable)."""
    problems = inv.problems
    pod = parse_cidr('cluster_pod_subnet', settings.get('cluster_pod_subnet'), problems, '10.244.0.0/16')
    svc = parse_cidr('cluster_service_subnet', settings.get('cluster_service_subnet'), problems, '10.96.0.0/12')
    node_subnet = None
    if settings.get('cluster_node_subnet') not in (None, ''):
        node_subnet = parse_cidr('cluster_node_subnet', settings.get('cluster_node_subnet'), problems,
                                 '192.168.1.0/24')
    if pod and svc:
        if pod.version != svc.version:
            problems.append('cluster_pod_subnet: %s and cluster_service_subnet %s are of different IP families%s'
                            'dual-stack is not supported; use one family' % (pod, svc, DASH))
        elif pod.overlaps(svc):
            problems.append('cluster_pod_subnet: %s overlaps cluster_service_subnet %s%schoose networks that do not '
                            'overlap (defaults 10.244.0.0/16 and 10.96.0.0/12)' % (pod, svc, DASH))
    for variable, net in (('cluster_pod_subnet', pod), ('cluster_service_subnet', svc)):
        if net and node_subnet and net.version == node_subnet.version and net.overlaps(node_subnet):
            problems.append('%s: %s overlaps cluster_node_subnet %s%spods and services need addresses that are not '
                            'on the node network; choose another range' % (variable, net, node_subnet, DASH))
        if net and _uses_docker(inv) and net.version == 4 and net.overlaps(DOCKER_BRIDGE):
            problems.append("%s: %s overlaps Docker's bridge %s%swith cluster_container_runtime docker choose "
                            'another range' % (variable, net, DOCKER_BRIDGE, DASH))
    if pod:
        _pod_size_problems(inv, pod)
    if svc:
        low, high = (12, 28) if svc.version == 4 else (108, 124)
        if svc.prefixlen < low:
            problems.append('cluster_service_subnet: %s is too large%skube-apiserver accepts at most /%d'
                            % (svc, DASH, low))
        elif svc.prefixlen > high:
            problems.append('cluster_service_subnet: %s is too small%sthe cluster DNS takes its 10th address; '
                            'use at least /%d' % (svc, DASH, high))
    calico = settings.get('calico_ipv4pool_cidr')
    pool = None
    if calico not in (None, ''):
        pool = parse_cidr('calico_ipv4pool_cidr', calico, problems, to_text(pod or '10.244.0.0/16'))
        if pool and pod and (pool.version != pod.version or not pool.subnet_of(pod)):
            problems.append('calico_ipv4pool_cidr: %s is not inside cluster_pod_subnet %s%sleave it unset (it '
                            'follows cluster_pod_subnet) or set it to %s or a part of it' % (pool, pod, DASH, pod))
    _calico_block_problems(problems, settings, pool if calico not in (None, '') else pod)
    return {'pod': pod, 'service': svc, 'node_subnet': node_subnet}


def _calico_block_problems(problems, settings, pool):
    value = settings.get('calico_ipv4pool_block_size')
    if value in (None, '', 0, '0'):
        return
    size = to_port(value)
    if size is None or not 20 <= size <= 32:
        problems.append("calico_ipv4pool_block_size: %r is not a block size%suse 20 to 32, or 0 for Calico's "
                        'default 26' % (value, DASH))
    elif pool is not None and pool.version == 4 and size < pool.prefixlen:
        problems.append('calico_ipv4pool_block_size: /%d blocks do not fit in the pool %s%suse /%d or more'
                        % (size, pool, DASH, pool.prefixlen))


def _uses_docker(inv):
    return any(inv.host_value(host, 'cluster_container_runtime') == 'docker' for host in inv.members)


def _pod_size_problems(inv, pod):
    # kube-controller-manager gives every node a /24 (IPv4) or /64 (IPv6) of the pod network.
    node_mask = 24 if pod.version == 4 else 64
    if pod.prefixlen > node_mask:
        inv.problems.append('cluster_pod_subnet: %s is smaller than the /%d every node gets%suse /%d or larger '
                            '(default 10.244.0.0/16)' % (pod, node_mask, DASH, node_mask))
        return
    if node_mask - pod.prefixlen > 16:
        inv.problems.append('cluster_pod_subnet: %s is too large for /%d node blocks%suse /%d or smaller'
                            % (pod, node_mask, DASH, node_mask - 16))
        return
    capacity = 2 ** (node_mask - pod.prefixlen)
    if len(inv.nodes) > capacity:
        inv.problems.append('cluster_pod_subnet: %s holds %d node blocks of /%d but the inventory has %d nodes%s'
                            'use a larger network' % (pod, capacity, node_mask, len(inv.nodes), DASH))


def _host_node_ip(inv, host):
    """(address or None, problem or None) for one host."""
    values = inv.hosts.get(host) or {}
    where = inv.where(host)
    value = values.get('cluster_node_ip')
    if value in (None, ''):
        if values.get('facts_gathered'):
            value = values.get('default_ipv4')
            if value in (None, ''):
                return None, ('%scluster_node_ip: not set and the host has no default IPv4 route in its facts%s'
                              'set cluster_node_ip for this host in the inventory' % (where, DASH))
        elif not inv.require_node_ip:
            return None, None
        else:
            return None, ('%scluster_node_ip: not set%ssite.yml would take the default-route address from facts, '
                          'but validate.yml gathers no facts and cannot check it; set cluster_node_ip for this host '
                          'in the inventory (host_vars/%s.yml or "%s cluster_node_ip=192.0.2.10")'
                          % (where, DASH, host, host))
    address = to_ip(value) if is_str(value) else None
    if address is None:
        hint = '; drop the prefix length' if is_str(value) and '/' in value else ''
        return None, ('%scluster_node_ip: %r is not an IP address%swrite one address like 192.168.1.11%s'
                      % (where, value, DASH, hint))
    if address.is_loopback or address.is_unspecified or address.is_multicast or address.is_link_local:
        return None, ('%scluster_node_ip: %s is a loopback, unspecified, multicast or link-local address%s'
                      'use the address on the network the nodes share' % (where, address, DASH))
    return address, None


def node_ip_problems(inv, networks):
    """Check every member's cluster_node_ip; return {host: address} of the usable ones."""
    problems = inv.problems
    node_ips = {}
    for host in inv.members:
        if host not in inv.known:
            continue
        address, problem = _host_node_ip(inv, host)
        if problem:
            problems.append(problem)
        if address is not None:
            node_ips[host] = address
    by_address = {}
    for host, address in node_ips.items():
        by_address.setdefault(address, []).append(host)
    for address, hosts in sorted(by_address.items(), key=lambda item: to_text(item[0])):
        if len(hosts) > 1:
            problems.append('cluster_node_ip: %s is used by several hosts (%s)%severy host needs its own address'
                            % (address, ', '.join(hosts), DASH))
    for host, address in node_ips.items():
        where = inv.where(host)
        for variable, net in (('cluster_pod_subnet', networks['pod']),
                              ('cluster_service_subnet', networks['service'])):
            if net and address.version == net.version and address in net:
                problems.append('%scluster_node_ip: %s is inside %s %s%schoose a %s that does not contain node '
                                'addresses' % (where, address, variable, net, DASH, variable))
            elif net and address.version != net.version and host in inv.nodes:
                problems.append('%scluster_node_ip: %s is not of the IP family of %s %s%sdual-stack is not '
                                'supported; use one family' % (where, address, variable, net, DASH))
        subnet = networks['node_subnet']
        if subnet and (address.version != subnet.version or address not in subnet):
            problems.append('%scluster_node_ip: %s is outside cluster_node_subnet %s%sfix the address or the subnet'
                            % (where, address, subnet, DASH))
    return node_ips
