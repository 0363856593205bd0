"""Test data shared by the filter, module_utils and module tests.

A module rather than pytest fixtures because several tests read fixtures while pytest collects them
(parametrize lists).
"""

import os

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures', 'kubeadm')

# What kubeadm init writes to /etc/kubernetes/admin.conf, with the certificate data shortened.
# fixtures/kubeadm/kubectl-1.32-config-view-json-recorded.json is what kubectl config view printed for it.
ADMIN_KUBECONFIG = '''apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcw
    server: https://192.168.0.100:16443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==
'''


def fixture_path(name):
    return os.path.join(FIXTURES, name)


def read_fixture(name, mode='r'):
    # newline='' keeps CRLF fixtures as they are.
    kwargs = {} if 'b' in mode else {'newline': '', 'encoding': 'utf-8'}
    with open(fixture_path(name), mode, **kwargs) as handle:
        return handle.read()
