// QuickSight as code (optional, `quicksight.enabled`): an Athena data source through its own IAM
// role, a SPICE dataset per saved query the dashboard reads, a refresh after the daily run, and
// the dashboard generated from dashboard/spec.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDashboard, CfnDataSet, CfnDataSource, CfnRefreshSchedule } from 'aws-cdk-lib/aws-quicksight';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DASHBOARD, dashboardQueries } from '../dashboard/spec.ts';
import { findQuery } from '../queries/catalog.ts';
import { RESULT_COLUMNS } from '../queries/result-columns.ts';
import { withBenchmark } from '../queries/sql-params.ts';
import { querySql } from '../queries/summary-sql.ts';
import { TABLES } from '../transforms/schema.ts';
import { DATABASE_NAME, WORKGROUP_NAME } from './athena-glue.ts';
import { acknowledge } from './nag.ts';
import { dashboardDefinition, dataSetId } from './quicksight-definition.ts';
import type { Settings } from './settings.ts';
import { ATHENA_RESULTS_PREFIX } from './storage.ts';

const QUICKSIGHT_TYPE = {
  string: 'STRING',
  integer: 'INTEGER',
  decimal: 'DECIMAL',
  boolean: 'BOOLEAN',
  datetime: 'DATETIME',
} as const;
const DATASET_ACTIONS = [
  'quicksight:DescribeDataSet',
  'quicksight:DescribeDataSetPermissions',
  'quicksight:PassDataSet',
  'quicksight:DescribeIngestion',
  'quicksight:ListIngestions',
];
const DASHBOARD_ACTIONS = [
  'quicksight:DescribeDashboard',
  'quicksight:ListDashboardVersions',
  'quicksight:QueryDashboard',
];

export interface QuickSightProps extends StackProps {
  readonly settings: Settings;
  /** The data bucket's ARN, imported from the pipeline stack's `credlake-data-bucket-arn` export. */
  readonly bucketArn: string;
  readonly keyArn?: string;
}

export class QuickSightStack extends Stack {
  readonly dashboard: CfnDashboard;
  readonly dataSets: Record<string, CfnDataSet> = {};

  constructor(scope: Construct, id: string, props: QuickSightProps) {
    super(scope, id, props);
    const { settings } = props;
    const bucket = Bucket.fromBucketArn(this, 'Bucket', props.bucketArn);
    const principal = settings.quicksight.principalArn!;
    const role = new Role(this, 'DataSourceRole', {
      roleName: 'credlake-quicksight-athena',
      assumedBy: new ServicePrincipal('quicksight.amazonaws.com'),
      description: 'credlake: QuickSight reads the lake through Athena',
    });
    const workgroup = this.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: WORKGROUP_NAME,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [workgroup],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
        ],
        resources: [
          this.formatArn({ service: 'glue', resource: 'catalog' }),
          this.formatArn({ service: 'glue', resource: 'database', resourceName: DATABASE_NAME }),
          ...Object.keys(TABLES).map((t) =>
            this.formatArn({ service: 'glue', resource: 'table', resourceName: `${DATABASE_NAME}/${t}` }),
          ),
        ],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('curated/*')] }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [bucket.arnForObjects(`${ATHENA_RESULTS_PREFIX}*`)],
      }),
    );
    if (props.keyArn)
      role.addToPolicy(
        new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.keyArn] }),
      );
    const bucketRef = 'credlake-data-bucket-arn';
    acknowledge(role, {
      [`AwsSolutions-IAM5[Resource::${bucketRef}/curated/*]`]:
        'QuickSight reads the curated Parquet objects through Athena, by partition',
      [`AwsSolutions-IAM5[Resource::${bucketRef}/${ATHENA_RESULTS_PREFIX}*]`]:
        'Athena writes and QuickSight reads query results under this prefix',
    });

    const source = new CfnDataSource(this, 'Athena', {
      awsAccountId: Aws.ACCOUNT_ID,
      dataSourceId: 'credlake-athena',
      name: 'credlake (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: WORKGROUP_NAME, roleArn: role.roleArn } },
      permissions: [
        {
          principal,
          actions: [
            'quicksight:DescribeDataSource',
            'quicksight:DescribeDataSourcePermissions',
            'quicksight:PassDataSource',
          ],
        },
      ],
      sslProperties: { disableSsl: false },
    });
    const [hour, minute] = [(settings.scheduleHourUtc + 1) % 24, 0];
    for (const query of dashboardQueries()) {
      const id = dataSetId(query);
      const dataSet = new CfnDataSet(this, `DataSet-${query}`, {
        awsAccountId: Aws.ACCOUNT_ID,
        dataSetId: id,
        name: `credlake ${query}`,
        importMode: 'SPICE',
        physicalTableMap: {
          [id]: {
            customSql: {
              dataSourceArn: source.attrArn,
              name: query,
              // Judged by the deployment's benchmark, as the pipeline's named queries are.
              sqlQuery: withBenchmark(
                findQuery(query)!,
                querySql(query, (n) =>
                  readFileSync(join(import.meta.dirname, '..', 'queries', `${n}.sql`), 'utf8'),
                ),
                settings.benchmark,
              ),
              columns: RESULT_COLUMNS[query].map(([name, type]) => ({ name, type: QUICKSIGHT_TYPE[type] })),
            },
          },
        },
        permissions: [{ principal, actions: DATASET_ACTIONS }],
      });
      this.dataSets[query] = dataSet;
      new CfnRefreshSchedule(this, `Refresh-${query}`, {
        awsAccountId: Aws.ACCOUNT_ID,
        dataSetId: id,
        schedule: {
          scheduleId: `${id}-daily`,
          refreshType: 'FULL_REFRESH',
          scheduleFrequency: {
            interval: 'DAILY',
            timeOfTheDay: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
            timeZone: 'UTC',
          },
        },
      }).addResourceDependency(dataSet);
    }
    this.dashboard = new CfnDashboard(this, 'Dashboard', {
      awsAccountId: Aws.ACCOUNT_ID,
      dashboardId: DASHBOARD.id,
      name: DASHBOARD.title,
      definition: dashboardDefinition((query) => this.dataSets[query].attrArn),
      validationStrategy: { mode: 'STRICT' },
      permissions: [{ principal, actions: DASHBOARD_ACTIONS }],
      versionDescription: 'Generated from dashboard/spec.ts',
    });
    for (const d of Object.values(this.dataSets)) this.dashboard.addResourceDependency(d);
  }
}
