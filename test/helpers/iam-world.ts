// The deployed pipeline's IAM, as AWS would decide it: each function's role (and the state
// machine's) with the identity policies the synthesized template attaches to it, the member role
// of the organization's accounts with its trust policy, and the resource policies (the data
// bucket's, the alerts topic's, the key's, the Organizations delegation policy), evaluated for a
// request by an IAM policy engine we did not write (@cloud-copilot/iam-simulate, AGPL-3.0: a
// test-only devDependency that no bundle, CLI path or Lambda imports). Every allowed request
// records the statements that allowed it, so a test can list the statements nothing used.
import { createHash } from 'node:crypto';
import { getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
export type PolicyDocument = { Version?: string; Statement: unknown[] };

export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  /** The account owning the resource (default: the pipeline's account). */
  readonly resourceAccount?: string;
}

export interface Decision {
  readonly allowed: boolean;
  /** Allowed, ExplicitlyDenied or ImplicitlyDenied, as the engine says. */
  readonly result: string;
}

/** The organization around the pipeline: its member role and Organizations delegation policy. */
export interface OrganizationIam {
  readonly id: string;
  readonly managementAccountId: string;
  /** Every account of the organization. */
  readonly accounts: readonly string[];
  /** The management stack's template: the member role every account has, and the delegation policy. */
  readonly management: { Resources: Resources };
}

export interface WorldOptions {
  readonly partition?: string;
  readonly region?: string;
  readonly organization?: OrganizationIam;
  /** The key a stack does not own (encryption=kms-existing) and its key policy. */
  readonly existingKey?: { readonly arn: string; readonly policy: PolicyDocument };
  /** The default encryption key of a bucket the stack does not own (bucketName), if SSE-KMS. */
  readonly existingBucketKeyArn?: string;
}

/** A statement the world can grant with, named for the unused-statement report. */
export interface StatementRef {
  /** `role <RoleName> <policy>#<n>` or `<resource kind> <name>#<n>` (n counted from 1). */
  readonly id: string;
  readonly statement: Record<string, unknown>;
}

export interface IamWorld {
  readonly account: string;
  readonly partition: string;
  readonly region: string;
  /** The ARN of the role a function runs as. */
  roleArn(functionId: string): string;
  /** The session ARN AWS names in an AccessDenied message for that role's function. */
  sessionArn(functionId: string): string;
  /** The function (or `StateMachine`) a session ARN of this world belongs to. */
  functionOf(sessionArn: string): string | undefined;
  authorize(functionId: string, request: AccessRequest): Promise<Decision>;
  /** The member role of an account of the organization, under its identity policies. */
  authorizeMember(accountId: string, request: AccessRequest): Promise<Decision>;
  /** The same decision for another role of the account, with identity policies of its own. */
  authorizeRole(roleName: string, policies: PolicyDocument[], request: AccessRequest): Promise<Decision>;
  /** A request by a role of the template (by logical id), as a service using that role makes it. */
  authorizeTemplateRole(roleId: string, request: AccessRequest): Promise<Decision>;
  /** Whether a service principal may assume a role of the template (its trust policy). */
  serviceAssumes(service: string, roleId: string, context: Record<string, string>): Promise<Decision>;
  /** A service principal's request, decided by the resource's policy alone (topic, key). */
  serviceRequest(service: string, request: AccessRequest): Promise<Decision>;
  /** Resolves a template value (a Ref, a GetAtt) to what this world calls it. */
  resolve(value: unknown): unknown;
  /** The KMS key the data bucket and the topic are encrypted with, if any. */
  readonly keyArn?: string;
  /** Every Allow statement of the world's policies. */
  statements(): StatementRef[];
  /** Ids of the statements that allowed at least one request. */
  readonly used: Set<string>;
}

/**
 * Resolves the intrinsics IAM documents use, leniently: what a policy names but this machine does
 * not model (a log group, a state machine) becomes an ARN of its own that matches nothing else.
 */
function lenientResolver(
  resources: Resources,
  account: string,
  bucket: string,
  partition = 'aws',
  region = 'us-east-1',
) {
  const pseudo: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': partition,
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
    return String(
      props.RoleName ??
        props.TopicName ??
        props.Name ??
        props.LogGroupName ??
        props.AlarmName ??
        props.QueueName ??
        props.StateMachineName ??
        id,
    );
  };
  const arnOf = (id: string): string => {
    const r = resources[id];
    switch (r?.Type) {
      case 'AWS::S3::Bucket':
        return `arn:${partition}:s3:::${isData(id) ? bucket : id.toLowerCase()}`;
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role/${nameOf(id)}`;
      case 'AWS::KMS::Key':
        return `arn:${partition}:kms:${region}:${account}:key/${id}`;
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${region}:${account}:${nameOf(id)}`;
      case 'AWS::Lambda::Function':
        return `arn:${partition}:lambda:${region}:${account}:function:${id}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${partition}:states:${region}:${account}:stateMachine:${nameOf(id)}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${partition}:logs:${region}:${account}:log-group:${nameOf(id)}:*`;
      case 'AWS::Events::Rule':
        return `arn:${partition}:events:${region}:${account}:rule/${nameOf(id)}`;
      case 'AWS::CloudWatch::Alarm':
        return `arn:${partition}:cloudwatch:${region}:${account}:alarm:${nameOf(id)}`;
      case 'AWS::SQS::Queue':
        return `arn:${partition}:sqs:${region}:${account}:${nameOf(id)}`;
      case 'AWS::Scheduler::Schedule':
        return `arn:${partition}:scheduler:${region}:${account}:schedule/default/${nameOf(id)}`;
      default:
        return `arn:${partition}:unmodelled:${region}:${account}:${id}`;
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
      if (r?.Type === 'AWS::SNS::Topic' || r?.Type === 'AWS::StepFunctions::StateMachine') return arnOf(id);
      return nameOf(id);
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      if (attr === 'Name' || attr === 'QueueName') return nameOf(id);
      return attr === 'Arn' ? arnOf(id) : `${id}.${attr}`;
    }
    if ('Fn::Split' in v) {
      const [sep, source] = v['Fn::Split'] as [string, unknown];
      return String(resolve(source)).split(sep);
    }
    if ('Fn::Select' in v) {
      const [index, list] = v['Fn::Select'] as [number | string, unknown];
      return (resolve(list) as unknown[])[Number(index)];
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
  return (
    await evaluate({
      principal: service,
      request: { action, resource, context },
      account,
      context: {},
      identityPolicies: [],
      resourcePolicy: resourcePolicy as PolicyDocument,
    })
  ).result;
}

type Evaluation = Decision & { grants: { policy: string; statement: number }[] };

/**
 * The engine's decision is a function of its inputs alone, so a request it has decided under the
 * same policies is answered from its first decision (the statements that allowed it included):
 * the engine still decides every distinct request. A run repeats many (the same KMS key for every
 * object, the same Glue table for every query), and the engine takes milliseconds for each.
 */
const decided = new Map<string, Promise<Evaluation>>();
const DECIDED_MAX = 100_000;

function evaluate(input: EvaluationInput): Promise<Evaluation> {
  // Everything the engine is given, policies' text included: a changed policy is a new request.
  const key = createHash('sha256').update(JSON.stringify(input)).digest('base64');
  let decision = decided.get(key);
  if (!decision) {
    if (decided.size >= DECIDED_MAX) decided.clear();
    decision = evaluateWithEngine(input);
    decided.set(key, decision);
    decision.catch(() => decided.delete(key));
  }
  return decision;
}

interface EvaluationInput {
  principal: string;
  request: AccessRequest;
  /** The account owning the resource when the request names none. */
  account: string;
  /** Keys the principal brings (aws:PrincipalArn, aws:PrincipalOrgID, ...). */
  context: Record<string, string>;
  identityPolicies: { name: string; policy: PolicyDocument }[];
  resourcePolicy?: PolicyDocument;
}

/**
 * One decision of the engine: the principal's request against its identity policies and the
 * resource's policy, over TLS, with the statements that allowed it (policy name or `resource`,
 * and the statement's number from 1).
 */
async function evaluateWithEngine(input: EvaluationInput): Promise<Evaluation> {
  const { request } = input;
  const response = await runSimulation(
    {
      request: {
        principal: input.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? input.account },
        contextVariables: {
          'aws:SecureTransport': 'true',
          ...input.context,
          ...engineContext(request.context),
        },
      },
      identityPolicies: input.identityPolicies.map((p) => ({ name: p.name, policy: enginePolicy(p.policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: enginePolicy(input.resourcePolicy),
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  if (response.resultType === 'error')
    throw new Error(`the IAM engine refused the simulation: ${JSON.stringify(response.errors)}`);
  const allowed = response.overallResult === 'Allowed';
  const grants =
    allowed && response.resultType === 'single'
      ? getGrantReasons(response.result.analysis).flatMap((g) =>
          g.policyType === 'identity'
            ? [{ policy: g.policyIdentifier, statement: g.statementIndex }]
            : g.policyType === 'resource'
              ? [{ policy: 'resource', statement: g.statementIndex }]
              : [],
        )
      : [];
  return { allowed, result: response.overallResult, grants };
}

type NamedPolicy = { name: string; policy: PolicyDocument };

/**
 * The engine evaluates a condition key with a variable part only after a slash
 * (`aws:ResourceTag/x`), so it drops KMS encryption-context keys, whose variable part follows a
 * colon and holds colons itself (`kms:EncryptionContext:aws:logs:arn`). The world renames such a
 * key, in the policies and the request alike, to a tag key the engine does evaluate: the
 * condition's operator and values stay the engine's to decide.
 */
const engineKey = (key: string) => {
  const m = /^kms:EncryptionContext:(.+)$/i.exec(key);
  return m ? `aws:ResourceTag/kms-encryption-context-${m[1].replace(/[^A-Za-z0-9]+/g, '-')}` : key;
};
const engineContext = (context: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(context).map(([k, v]) => [engineKey(k), v]));
function enginePolicy(policy: PolicyDocument): PolicyDocument;
function enginePolicy(policy: PolicyDocument | undefined): PolicyDocument | undefined;
function enginePolicy(policy: PolicyDocument | undefined): PolicyDocument | undefined {
  if (!policy) return policy;
  return {
    ...policy,
    Statement: policy.Statement.map((s) => {
      const st = s as { Condition?: Record<string, Record<string, unknown>> };
      if (!st.Condition) return s;
      const Condition = Object.fromEntries(
        Object.entries(st.Condition).map(([op, keys]) => [
          op,
          Object.fromEntries(Object.entries(keys).map(([k, v]) => [engineKey(k), v])),
        ]),
      );
      return { ...st, Condition };
    }),
  };
}

/** The AWS managed policies the templates attach, as AWS publishes them. */
const AWS_MANAGED: Record<string, PolicyDocument> = {
  AWSLambdaBasicExecutionRole: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

export function buildIamWorld(
  template: { Resources: Resources },
  account: string,
  bucket: string,
  options: WorldOptions = {},
): IamWorld {
  const partition = options.partition ?? 'aws';
  const region = options.region ?? 'us-east-1';
  const resources = template.Resources;
  const { resolve, arnOf, nameOf } = lenientResolver(resources, account, bucket, partition, region);
  const roleOf = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::Lambda::Function') {
      const [role] = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      roleOf.set(id, role);
    }
    if (r.Type === 'AWS::StepFunctions::StateMachine') {
      const [role] = (r.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      roleOf.set('StateMachine', role);
    }
  }
  const policiesOf = (role: string) => {
    const docs: NamedPolicy[] = [];
    for (const arn of (resolve(resources[role]?.Properties.ManagedPolicyArns) ?? []) as string[]) {
      const name = arn.split('/').pop() ?? arn;
      const policy = AWS_MANAGED[name];
      if (!policy) throw new Error(`the IAM world does not know the AWS managed policy ${arn}`);
      docs.push({ name, policy });
    }
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
  const ofType = (type: string) =>
    Object.values(resources)
      .filter((r) => r.Type === type)
      .map((r) => resolve(r.Properties) as Record<string, unknown>);
  const bucketPolicy = ofType('AWS::S3::BucketPolicy').find((p) => p.Bucket === bucket)?.PolicyDocument as
    | PolicyDocument
    | undefined;
  const topicPolicies = ofType('AWS::SNS::TopicPolicy').map((p) => ({
    topics: p.Topics as string[],
    policy: p.PolicyDocument as PolicyDocument,
  }));
  const topics = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SNS::Topic')
    .map(([id, r]) => ({ arn: arnOf(id), key: resolve(r.Properties.KmsMasterKeyId) as string | undefined }));
  const dataBucket = Object.entries(resources).find(
    ([id, r]) => r.Type === 'AWS::S3::Bucket' && !/AccessLogs/.test(id),
  )?.[1];
  const sse = (
    resolve(dataBucket?.Properties.BucketEncryption) as
      | {
          ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { KMSMasterKeyID?: string } }[];
        }
      | undefined
  )?.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.KMSMasterKeyID;
  // An existing bucket is not in the template: its encryption is its owner's choice.
  const bucketKey = dataBucket ? sse : options.existingBucketKeyArn;
  const ownKey = Object.keys(resources).find((id) => resources[id].Type === 'AWS::KMS::Key');
  const keyArn = ownKey ? arnOf(ownKey) : options.existingKey?.arn;
  const keyPolicy = ownKey
    ? (resolve(resources[ownKey].Properties.KeyPolicy) as PolicyDocument)
    : options.existingKey?.policy;

  const org = options.organization;
  const management = org?.management.Resources ?? {};
  const mgmtResolver = org
    ? lenientResolver(management, org.managementAccountId, bucket, partition, region)
    : undefined;
  const memberRoleId = Object.keys(management).find((id) => management[id].Type === 'AWS::IAM::Role');
  const memberRole = memberRoleId ? management[memberRoleId] : undefined;
  const memberRoleName = String(memberRole?.Properties.RoleName ?? '');
  const memberPolicies: NamedPolicy[] = (
    (memberRole?.Properties.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]
  ).map((p) => ({ name: p.PolicyName, policy: mgmtResolver!.resolve(p.PolicyDocument) as PolicyDocument }));
  const trustPolicy = memberRole
    ? (mgmtResolver!.resolve(memberRole.Properties.AssumeRolePolicyDocument) as PolicyDocument)
    : undefined;
  const orgPolicy = Object.values(management).find((r) => r.Type === 'AWS::Organizations::ResourcePolicy');
  const delegationPolicy = orgPolicy
    ? (mgmtResolver!.resolve(orgPolicy.Properties.Content) as PolicyDocument)
    : undefined;

  /** The resource policy that governs a request, named for the usage report. */
  const resourcePolicyFor = (
    request: AccessRequest,
  ): { name: string; policy: PolicyDocument } | undefined => {
    const r = request.resource;
    if (r.startsWith(`arn:${partition}:s3:::${bucket}`) && bucketPolicy)
      return { name: 'bucket policy', policy: bucketPolicy };
    if (request.action.startsWith('sns:')) {
      const tp = topicPolicies.find((p) => p.topics.includes(r));
      return tp ? { name: 'topic policy', policy: tp.policy } : undefined;
    }
    if (request.action.startsWith('kms:') && keyPolicy) return { name: 'key policy', policy: keyPolicy };
    if (request.action === 'sts:AssumeRole' && trustPolicy && r.endsWith(`:role/${memberRoleName}`))
      return { name: 'member role trust policy', policy: trustPolicy };
    if (request.action.startsWith('organizations:') && delegationPolicy)
      return { name: 'Organizations delegation policy', policy: delegationPolicy };
    return undefined;
  };

  const used = new Set<string>();
  const role = (fn: string) => {
    const id = roleOf.get(fn);
    if (!id) throw new Error(`no function ${fn} in the template`);
    return id;
  };
  const sessionArn = (fn: string) =>
    `arn:${partition}:sts::${account}:assumed-role/${nameOf(role(fn))}/${fn}`;
  const world: IamWorld = {
    account,
    partition,
    region,
    keyArn,
    used,
    roleArn: (fn) => arnOf(role(fn)),
    sessionArn,
    functionOf: (arn) => [...roleOf.keys()].find((fn) => sessionArn(fn) === arn),
    authorize: (fn, request) => decideWithKeys(nameOf(role(fn)), account, fn, policiesOf(role(fn)), request),
    authorizeMember: (memberAccount, request) => {
      if (!org) throw new Error('this world has no organization');
      return decideWithKeys(memberRoleName, memberAccount, 'credlake', memberPolicies, request);
    },
    authorizeRole: (roleName, policies, request) =>
      decide(
        roleName,
        account,
        'session',
        policies.map((policy, i) => ({ name: `${roleName}-${i}`, policy })),
        request,
      ),
    resolve,
    authorizeTemplateRole: (roleId, request) =>
      decideWithKeys(nameOf(roleId), account, roleId, policiesOf(roleId), request),
    serviceAssumes: async (service, roleId, context) => {
      const trust = resolve(resources[roleId]?.Properties.AssumeRolePolicyDocument) as PolicyDocument;
      return decideService(
        service,
        { action: 'sts:AssumeRole', resource: arnOf(roleId), context },
        {
          name: `trust ${nameOf(roleId)}`,
          policy: trust,
        },
      );
    },
    serviceRequest: (service, request) => {
      const policy = resourcePolicyFor(request);
      if (!policy) throw new Error(`no resource policy governs ${request.action} on ${request.resource}`);
      return decideService(service, request, policy);
    },
    statements: () => {
      const refs: StatementRef[] = [];
      const add = (prefix: string, policy: PolicyDocument | undefined) =>
        (policy?.Statement ?? []).forEach((s, i) => {
          const st = s as Record<string, unknown>;
          if (st.Effect === 'Allow') refs.push({ id: `${prefix}#${i + 1}`, statement: st });
        });
      const roles = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::IAM::Role');
      for (const id of roles) {
        for (const p of policiesOf(id)) add(`role ${nameOf(id)} ${p.name}`, p.policy);
        add(
          `trust ${nameOf(id)}`,
          resolve(resources[id].Properties.AssumeRolePolicyDocument) as PolicyDocument,
        );
      }
      for (const p of memberPolicies) add(`role ${memberRoleName} ${p.name}`, p.policy);
      add('bucket policy', bucketPolicy);
      for (const tp of topicPolicies) add('topic policy', tp.policy);
      if (keyPolicy) add('key policy', keyPolicy);
      add('member role trust policy', trustPolicy);
      add('Organizations delegation policy', delegationPolicy);
      return refs;
    },
  };
  return world;

  /** The request, and the KMS requests S3 and SNS make with the caller's permissions for it. */
  async function decideWithKeys(
    roleName: string,
    roleAccount: string,
    session: string,
    identityPolicies: NamedPolicy[],
    request: AccessRequest,
  ): Promise<Decision> {
    const decision = await decide(roleName, roleAccount, session, identityPolicies, request);
    if (!decision.allowed) return decision;
    const encryptedBy =
      request.resource.startsWith(`arn:${partition}:s3:::${bucket}/`) && bucketKey
        ? { key: bucketKey, via: `s3.${region}.amazonaws.com` }
        : request.action === 'sns:Publish'
          ? (() => {
              const key = topics.find((t) => t.arn === request.resource)?.key;
              return key ? { key, via: `sns.${region}.amazonaws.com` } : undefined;
            })()
          : undefined;
    if (!encryptedBy) return decision;
    const writes = request.action === 's3:PutObject' || request.action === 'sns:Publish';
    for (const action of writes ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt']) {
      if (action === 'kms:Decrypt' && request.action === 's3:PutObject') continue;
      const keyDecision = await decide(roleName, roleAccount, session, identityPolicies, {
        action,
        resource: encryptedBy.key,
        context: { 'kms:ViaService': encryptedBy.via, 'kms:CallerAccount': roleAccount },
      });
      if (!keyDecision.allowed) return keyDecision;
    }
    return decision;
  }

  async function decideService(
    service: string,
    request: AccessRequest,
    resourcePolicy: { name: string; policy: PolicyDocument },
  ): Promise<Decision> {
    const decision = await evaluate({
      principal: service,
      request,
      account,
      context: {},
      identityPolicies: [],
      resourcePolicy: resourcePolicy.policy,
    });
    for (const g of decision.grants) used.add(`${resourcePolicy.name}#${g.statement}`);
    return { allowed: decision.allowed, result: decision.result };
  }

  async function decide(
    roleName: string,
    roleAccount: string,
    session: string,
    identityPolicies: NamedPolicy[],
    request: AccessRequest,
  ): Promise<Decision> {
    const resourcePolicy = resourcePolicyFor(request);
    const decision = await evaluate({
      principal: `arn:${partition}:sts::${roleAccount}:assumed-role/${roleName}/${session}`,
      request,
      account,
      context: {
        'aws:PrincipalArn': `arn:${partition}:iam::${roleAccount}:role/${roleName}`,
        'aws:PrincipalAccount': roleAccount,
        ...(org?.accounts.includes(roleAccount) ? { 'aws:PrincipalOrgID': org.id } : {}),
      },
      identityPolicies,
      resourcePolicy: resourcePolicy?.policy,
    });
    for (const g of decision.grants)
      if (g.policy !== 'resource') used.add(`role ${roleName} ${g.policy}#${g.statement}`);
      else if (resourcePolicy) used.add(`${resourcePolicy.name}#${g.statement}`);
    return { allowed: decision.allowed, result: decision.result };
  }
}
