// The deployed pipeline's IAM, as AWS would decide it: each function's role with the identity
// policies the synthesized template attaches to it, and the data bucket's policy, evaluated for a
// request by an IAM policy engine we did not write (@cloud-copilot/iam-simulate, AGPL-3.0: a
// test-only devDependency that no bundle, CLI path or Lambda imports).
import { runSimulation } from '@cloud-copilot/iam-simulate';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type PolicyDocument = { Version?: string; Statement: unknown[] };

export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
}

export interface Decision {
  readonly allowed: boolean;
  /** Allowed, ExplicitlyDenied or ImplicitlyDenied, as the engine says. */
  readonly result: string;
}

export interface IamWorld {
  /** The ARN of the role a function runs as. */
  roleArn(functionId: string): string;
  /** The session ARN AWS names in an AccessDenied message for that role's function. */
  sessionArn(functionId: string): string;
  authorize(functionId: string, request: AccessRequest): Promise<Decision>;
  /** The same decision for another role of the account, with identity policies of its own. */
  authorizeRole(roleName: string, policies: PolicyDocument[], request: AccessRequest): Promise<Decision>;
}

/**
 * Resolves the intrinsics IAM documents use, leniently: what a policy names but this machine does
 * not model (a log group, a state machine) becomes an ARN of its own that matches nothing else.
 */
function lenientResolver(resources: Resources, account: string, bucket: string) {
  const pseudo: Record<string, string> = {
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  // The lake's bucket is the one the functions' environment names; the access-log bucket is not it.
  const dataBucket = Object.keys(resources).find(
    (id) => resources[id].Type === 'AWS::S3::Bucket' && !/AccessLogs/.test(id),
  );
  const isData = (id: string) => id === dataBucket;
  const nameOf = (id: string) => {
    const r = resources[id];
    const props = r?.Properties ?? {};
    return String(props.RoleName ?? props.TopicName ?? props.Name ?? id);
  };
  const arnOf = (id: string): string => {
    const r = resources[id];
    switch (r?.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${isData(id) ? bucket : id.toLowerCase()}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${nameOf(id)}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:us-east-1:${account}:key/${id}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:us-east-1:${account}:${nameOf(id)}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:us-east-1:${account}:function:${id}`;
      default:
        return `arn:aws:unmodelled:us-east-1:${account}:${id}`;
    }
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    if ('Ref' in v) {
      const id = String(v.Ref);
      if (id in pseudo) return pseudo[id];
      const r = resources[id];
      if (r?.Type === 'AWS::S3::Bucket') return isData(id) ? bucket : id.toLowerCase();
      if (r?.Type === 'AWS::SNS::Topic') return arnOf(id);
      return nameOf(id);
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      return attr === 'Arn' ? arnOf(id) : `${id}.${attr}`;
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return { resolve, arnOf, nameOf };
}

/** A resource's properties with every intrinsic resolved as buildIamWorld resolves them. */
export function resolvedProperties(
  template: { Resources: Resources },
  logicalId: string,
  account: string,
  bucket: string,
): Record<string, unknown> {
  const { resolve } = lenientResolver(template.Resources, account, bucket);
  return resolve(template.Resources[logicalId].Properties) as Record<string, unknown>;
}

/** What a service principal may do to a resource under its resource policy (no identity policy applies). */
export async function serviceMay(
  service: string,
  action: string,
  resource: string,
  resourcePolicy: unknown,
  account: string,
  context: Record<string, string>,
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: service,
        action,
        resource: { resource, accountId: account },
        contextVariables: { 'aws:SecureTransport': 'true', ...context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  if (response.resultType === 'error')
    throw new Error(`the IAM engine refused the simulation: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

export function buildIamWorld(template: { Resources: Resources }, account: string, bucket: string): IamWorld {
  const resources = template.Resources;
  const { resolve, arnOf, nameOf } = lenientResolver(resources, account, bucket);
  const roleOf = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const [role] = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    roleOf.set(id, role);
  }
  const policiesOf = (role: string) => {
    const docs: { name: string; policy: PolicyDocument }[] = [];
    const inline = (resources[role]?.Properties.Policies ?? []) as {
      PolicyName: string;
      PolicyDocument: unknown;
    }[];
    for (const p of inline)
      docs.push({ name: p.PolicyName, policy: resolve(p.PolicyDocument) as PolicyDocument });
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      const roles = (r.Properties.Roles ?? []) as { Ref?: string }[];
      if (roles.some((x) => x.Ref === role))
        docs.push({ name: id, policy: resolve(r.Properties.PolicyDocument) as PolicyDocument });
    }
    return docs;
  };
  const bucketPolicy = Object.values(resources)
    .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
    .map((r) => resolve(r.Properties) as { Bucket: string; PolicyDocument: PolicyDocument })
    .find((p) => p.Bucket === bucket)?.PolicyDocument;

  const role = (fn: string) => {
    const id = roleOf.get(fn);
    if (!id) throw new Error(`no function ${fn} in the template`);
    return id;
  };
  return {
    roleArn: (fn) => arnOf(role(fn)),
    sessionArn: (fn) => `arn:aws:sts::${account}:assumed-role/${nameOf(role(fn))}/${fn}`,
    authorize: (fn, request) => decide(nameOf(role(fn)), arnOf(role(fn)), fn, policiesOf(role(fn)), request),
    authorizeRole: (roleName, policies, request) =>
      decide(
        roleName,
        `arn:aws:iam::${account}:role/${roleName}`,
        'session',
        policies.map((policy, i) => ({ name: `${roleName}-${i}`, policy })),
        request,
      ),
  };

  async function decide(
    roleName: string,
    roleArn: string,
    session: string,
    identityPolicies: { name: string; policy: PolicyDocument }[],
    request: AccessRequest,
  ): Promise<Decision> {
    const onBucket = request.resource.startsWith(`arn:aws:s3:::${bucket}`);
    const response = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
          action: request.action,
          resource: { resource: request.resource, accountId: account },
          contextVariables: {
            'aws:PrincipalArn': roleArn,
            'aws:PrincipalAccount': account,
            'aws:SecureTransport': 'true',
            ...request.context,
          },
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: onBucket ? bucketPolicy : undefined,
      } as Parameters<typeof runSimulation>[0],
      {},
    );
    if (response.resultType === 'error')
      throw new Error(`the IAM engine refused the simulation: ${JSON.stringify(response.errors)}`);
    return { allowed: response.overallResult === 'Allowed', result: response.overallResult };
  }
}
