/** The tools behind the calls: people's browsers, the agents and SDKs on machines, the intruder's kit. */
export const agents = {
  chromeMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
  ssmAgent: 'aws-sdk-go/1.50.38 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0',
  javaApp:
    'aws-sdk-java/2.25.21 Linux/6.1.79-99.167.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  lambdaNode: (api: string) =>
    `aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.214-223.822.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/${api}#3.540.0 exec-env/AWS_Lambda_nodejs20.x`,
  githubCredentials: 'configure-aws-credentials-for-github-actions',
  runnerCli: (command: string) =>
    `aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/${command}`,
  reportingCli: (command: string) =>
    `aws-cli/2.13.25 Python/3.11.5 Linux/5.15.0-101-generic exe/x86_64.ubuntu.22 prompt/off command/${command}`,
  awsVault: (api: string) =>
    `aws-sdk-go-v2/1.24.1 os/macos lang/go#1.21.6 md/GOOS#darwin md/GOARCH#arm64 api/${api}#1.26.7`,
  intruderBoto3:
    'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  intruderCli: (command: string) =>
    `aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off command/${command}`,
};
