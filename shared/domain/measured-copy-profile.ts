import type { CopyProfile } from './athena-estimate.js';

/**
 * The CloudTrail one-pass copy as `npm run bench` measured it (300,000 events of the demo companies,
 * Parquet zstd in 100 Hive buckets of `eventname`, `parquet_metadata` column chunk sizes): the copy's
 * bytes per gzip byte of the logs, how they split over the buckets and over the columns. Before a
 * case's copy exists this is the model of it; each bucket is taken to hold the columns in the same
 * proportions, and an account whose event names are spread otherwise reads more or less.
 */
const COPY_PER_GZIP_BYTE = 0.2739;
const BUCKET_SHARE = [
  0.0, 0.01628, 0.0, 0.0, 0.0, 0.00337, 0.0, 0.03995, 0.0, 0.00166, 0.0, 0.00171, 0.00044, 0.00087, 0.01611,
  0.01145, 0.00041, 0.0, 0.47664, 0.00429, 0.0026, 0.00105, 0.00745, 0.0, 0.00216, 0.0, 0.00042, 0.00068, 0.0,
  0.006, 0.00043, 0.00199, 0.0, 0.0, 0.0, 0.00047, 0.0, 0.00163, 0.00205, 0.0, 0.0, 0.0, 0.00194, 0.00043,
  0.0199, 0.00221, 0.00129, 0.00042, 0.03272, 0.0, 0.02224, 0.01705, 0.0, 0.0, 0.0, 0.0, 0.00058, 0.00044,
  0.00095, 0.00804, 0.00188, 0.0, 0.02368, 0.00421, 0.00206, 0.0, 0.0, 0.00114, 0.0, 0.00041, 0.00629, 0.0,
  0.00173, 0.00711, 0.15953, 0.0, 0.0, 0.00043, 0.01633, 0.01327, 0.00232, 0.00887, 0.00426, 0.0007, 0.0006,
  0.0, 0.00136, 0.0, 0.0, 0.00429, 0.00546, 0.01633, 0.0, 0.00112, 0.0, 0.0045, 0.00224, 0.0, 0.0, 0.00154,
];
const COLUMN_SHARE: Record<string, number> = {
  eventid: 0.66402,
  requestid: 0.11035,
  useridentity: 0.07282,
  responseelements: 0.06505,
  eventtime: 0.05178,
  additionaleventdata: 0.00809,
  requestparameters: 0.00766,
  useragent: 0.00317,
  sourceipaddress: 0.00284,
  tlsdetails: 0.00283,
  resources: 0.00201,
  eventname: 0.00098,
  eventsource: 0.00084,
  errormessage: 0.00068,
  sessioncredentialfromconsole: 0.00064,
  eventversion: 0.00064,
  awsregion: 0.00063,
  recipientaccountid: 0.00063,
  readonly: 0.00056,
  eventtype: 0.00051,
  eventcategory: 0.0005,
  managementevent: 0.00046,
  errorcode: 0.00045,
  serviceeventdetails: 0.00035,
  sharedeventid: 0.00033,
  apiversion: 0.00023,
  insightdetails: 0.00023,
  vpcendpointid: 0.00023,
  vpcendpointaccountid: 0.00023,
  edgedevicedetails: 0.00023,
};

export const MEASURED_CLOUDTRAIL_COPY: CopyProfile = {
  buckets: BUCKET_SHARE.map((bucket) =>
    Object.fromEntries(
      Object.entries(COLUMN_SHARE).map(([column, share]) => [column, COPY_PER_GZIP_BYTE * bucket * share]),
    ),
  ),
};
