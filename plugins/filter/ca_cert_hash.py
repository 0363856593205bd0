# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.module_utils.pki import CertificateError
from ansible_collections.duoshou.kubeadm.plugins.module_utils.pki import ca_cert_hash as _ca_cert_hash
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: ca_cert_hash
short_description: kubeadm discovery hash of a CA certificate
version_added: 0.1.0
description:
  - Returns C(sha256:) followed by the lowercase hex SHA-256 of the certificate's DER SubjectPublicKeyInfo,
    the value C(kubeadm join --discovery-token-ca-cert-hash) and C(JoinConfiguration caCertHashes) expect.
  - Works for RSA and ECDSA CAs. Pure Python; the C(cryptography) package is not needed.
  - For a bundle the first certificate is used.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: PEM text of the CA certificate (for example the content of C(/etc/kubernetes/pki/ca.crt)).
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: Read the cluster CA certificate
  ansible.builtin.slurp:
    src: /etc/kubernetes/pki/ca.crt
  register: cluster_ca_slurp

- name: Compute the discovery hash
  ansible.builtin.set_fact:
    cluster_ca_cert_hash: "{{ cluster_ca_slurp.content | b64decode | duoshou.kubeadm.ca_cert_hash }}"
'''

RETURN = r'''
_value:
  description: C(sha256:<64 lowercase hex digits>).
  type: string
  sample: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
'''


ca_cert_hash = filter_from('ca_cert_hash', _ca_cert_hash, CertificateError)


class FilterModule:
    def filters(self):
        return {'ca_cert_hash': ca_cert_hash}
