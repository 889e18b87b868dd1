"""IAM as data: the documents, ARNs and action catalogues (no provider imports).

- `policies.arns`: the one ARN builder;
- `policies.actions`: which actions each kind of access is made of;
- `policies.document`: statements and documents;
- `policies.ci`: the CI identities, one row per CI stack (`APPLY`);
- `policies.workloads`: the workload roles, one row each (`WORKLOAD_ROLES`);
- `policies.people`: the changes only people apply (`PEOPLE_ONLY`).
"""
