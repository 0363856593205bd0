# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control-plane endpoint of an inventory: the VIP, its ports, the haproxy + keepalived hosts (HA)."""

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import (
    DASH,
    is_dns_subdomain,
    is_str,
    to_ip,
    to_port,
)


def endpoint_problems(inv, settings, networks, node_ips):
    problems = inv.problems
    is_ha = len(inv.control_planes) > 1
    endpoint = settings.get('cluster_control_plane_endpoint_address')
    if endpoint is None:
        endpoint = ''
    if not is_str(endpoint):
        problems.append('cluster_control_plane_endpoint_address: %r is not an address%swrite the VIP like '
                        '192.168.0.100' % (endpoint, DASH))
        return
    endpoint = endpoint.strip()
    endpoint_port = to_port(settings.get('cluster_control_plane_endpoint_port'))
    bind_port = to_port(settings.get('cluster_apiserver_bind_port'))
    if is_ha and not endpoint:
        problems.append('cluster_control_plane_endpoint_address: empty with %d control planes%sset it to the VIP '
                        'that keepalived holds (and cluster_control_plane_endpoint_port, e.g. 16443)'
                        % (len(inv.control_planes), DASH))
    if is_ha and not inv.lbs:
        problems.append('%s: group is empty with %d control planes%sput the hosts that run haproxy and keepalived '
                        'in %s (e.g. the first two control planes)'
                        % (inv.lb_group, len(inv.control_planes), DASH, inv.lb_group))
    if inv.lbs and endpoint_port is not None and endpoint_port == bind_port:
        for host in inv.lbs:
            if host in inv.control_planes:
                problems.append('cluster_control_plane_endpoint_port: %d equals cluster_apiserver_bind_port on %s, '
                                'which runs both haproxy and kube-apiserver%suse another endpoint port, e.g. 16443'
                                % (endpoint_port, host, DASH))
                break
    if not endpoint:
        return
    vip = to_ip(endpoint)
    if vip is None:
        _endpoint_name_problems(inv, endpoint)
        return
    if vip.is_loopback or vip.is_unspecified or vip.is_multicast:
        problems.append('cluster_control_plane_endpoint_address: %s cannot be reached from other nodes%s'
                        'use the VIP on the node network' % (vip, DASH))
        return
    owners = [host for host, address in node_ips.items() if address == vip]
    if inv.lbs and owners:
        problems.append('cluster_control_plane_endpoint_address: %s is the cluster_node_ip of %s%sthe VIP must be '
                        'a free address that keepalived moves between the %s hosts'
                        % (vip, ', '.join(owners), DASH, inv.lb_group))
    if not inv.lbs and not is_ha and inv.control_planes:
        first = inv.control_planes[0]
        if first in node_ips and node_ips[first] != vip:
            problems.append('cluster_control_plane_endpoint_address: %s is not the cluster_node_ip of %s and %s is '
                            'empty, so no host holds it%sleave it empty, set it to %s, or add %s hosts'
                            % (vip, first, inv.lb_group, DASH, node_ips[first], inv.lb_group))
    for variable, net in (('cluster_pod_subnet', networks['pod']), ('cluster_service_subnet', networks['service'])):
        if net and vip.version == net.version and vip in net:
            problems.append('cluster_control_plane_endpoint_address: %s is inside %s %s%suse an address on the '
                            'node network' % (vip, variable, net, DASH))
    subnet = networks['node_subnet']
    if subnet and (vip.version != subnet.version or vip not in subnet):
        problems.append('cluster_control_plane_endpoint_address: %s is outside cluster_node_subnet %s%skeepalived '
                        'can only hold an address of the nodes\' subnet' % (vip, subnet, DASH))
    if not inv.lbs and not is_ha and endpoint_port is not None and endpoint_port != bind_port:
        problems.append('cluster_control_plane_endpoint_port: %d differs from cluster_apiserver_bind_port %s but no '
                        '%s host forwards it%suse the same port or add %s hosts'
                        % (endpoint_port, bind_port, inv.lb_group, DASH, inv.lb_group))


def _endpoint_name_problems(inv, endpoint):
    problems = inv.problems
    if '://' in endpoint or '/' in endpoint:
        problems.append("cluster_control_plane_endpoint_address: '%s' is a URL%swrite the address only, like "
                        '192.168.0.100' % (endpoint, DASH))
    elif ':' in endpoint:
        problems.append("cluster_control_plane_endpoint_address: '%s' contains a port%swrite the address only and "
                        'put the port in cluster_control_plane_endpoint_port' % (endpoint, DASH))
    elif not is_dns_subdomain(endpoint, allow_upper=True):
        problems.append("cluster_control_plane_endpoint_address: '%s' is neither an IP address nor a DNS name%s"
                        'write the VIP like 192.168.0.100' % (endpoint, DASH))
    elif inv.lbs:
        problems.append("cluster_control_plane_endpoint_address: '%s' is a name, but keepalived on %s needs an IP "
                        'address%sset the VIP address' % (endpoint, inv.lb_group, DASH))


def vrrp_password_problems(inv):
    # The caller passes the password's length only, never the secret itself.
    length = inv.settings.get('haproxy_keepalived_auth_pass_length')
    if length is None or len(inv.control_planes) < 2 or not inv.lbs:
        return
    if not 1 <= int(length) <= 8:
        inv.problems.append('haproxy_keepalived_auth_pass: keepalived needs a VRRP password of 1 to 8 characters '
                            'on the kube_lb hosts (got %d)%sset it in group_vars, kept in Ansible Vault'
                            % (int(length), DASH))
