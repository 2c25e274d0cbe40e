/**
 * The master credentials of a db_resource: a generated password kept as a Pulumi secret, or
 * (`aws.manageMasterUserPassword`) one RDS keeps and rotates in Secrets Manager, read back as a
 * secret for the connections.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { DEFAULTS } from "../../model/defaults";
import { AWS_CHILD } from "./names";
import { AwsSettings } from "./settings";

/** The generated master password (a secret), or undefined when RDS manages it. */
export function generatedPassword(scope: pulumi.ComponentResource, name: string, settings: AwsSettings): pulumi.Output<string> | undefined {
  if (settings.manageMasterUserPassword) return undefined;
  // Letters and digits only: RDS refuses `/`, `@`, `"` and spaces, and URIs need no escaping.
  return pulumi.secret(new random.RandomPassword(`${name}-${AWS_CHILD.password}`, { length: DEFAULTS.passwordLength, special: false }, { parent: scope }).result);
}

/** The password connections use: the generated one, or the managed secret's `password`, read from Secrets Manager. */
export function connectionPasswordOf(
  scope: pulumi.Resource,
  generated: pulumi.Output<string> | undefined,
  masterUserSecrets: pulumi.Output<{ secretArn: string }[] | undefined>,
): pulumi.Output<string> {
  if (generated) return generated;
  const arn = masterUserSecrets.apply((s) => (s && s.length > 0 ? s[0].secretArn : ""));
  const version = aws.secretsmanager.getSecretVersionOutput({ secretId: arn }, { parent: scope });
  return pulumi.secret(version.secretString.apply((text) => String(JSON.parse(text).password)));
}
