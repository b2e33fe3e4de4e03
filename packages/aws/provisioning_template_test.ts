import assert from "node:assert/strict";
import { evaluateTemplate, TemplateError } from "./provisioning_template.ts";

const thing = (ThingName: unknown) => ({
  thing: { Type: "AWS::IoT::Thing", Properties: { ThingName } },
});

Deno.test("evaluateTemplate() applies defaults and the intrinsic functions the docs list", () => {
  const outcome = evaluateTemplate({
    Parameters: {
      Serial: { Type: "String" },
      Region: { Type: "String", Default: "eu-west-1" },
      Parts: { Type: "String" },
    },
    Mappings: { Endpoints: { "eu-west-1": { Url: "https://eu.example" } } },
    Resources: {
      ...thing({ "Fn::Sub": ["${Prefix}-${Serial}", { Prefix: "dev" }] }),
    },
    DeviceConfiguration: {
      topic: { "Fn::Sub": "things/${Serial}" },
      url: { "Fn::FindInMap": ["Endpoints", { Ref: "Region" }, "Url"] },
      second: { "Fn::Select": [1, { "Fn::Split": [",", { Ref: "Parts" }] }] },
      id: { Ref: "AWS::IoT::Certificate::Id" },
      nested: { list: [{ Ref: "Serial" }, "literal"] },
    },
  }, { Serial: "9", Parts: "a,b,c", Undeclared: "x", "AWS::IoT::Certificate::Id": "abc" });
  assert.deepStrictEqual(outcome, {
    thing: { thingName: "dev-9", attributes: {}, thingTypeName: undefined, thingGroups: [] },
    certificateStatus: "ACTIVE",
    policies: [],
    deviceConfiguration: {
      topic: "things/9",
      url: "https://eu.example",
      second: "b",
      id: "abc",
      nested: { list: ["9", "literal"] },
    },
  });
});

Deno.test("evaluateTemplate() sets an INACTIVE certificate status and collects policies", () => {
  const outcome = evaluateTemplate({
    Resources: {
      ...thing("t1"),
      certificate: { Type: "AWS::IoT::Certificate", Properties: { Status: "Inactive" } },
      named: { Type: "AWS::IoT::Policy", Properties: { PolicyName: "P" } },
      inline: {
        Type: "AWS::IoT::Policy",
        Properties: { PolicyDocument: { Version: "2012-10-17" } },
      },
    },
  }, {});
  assert.equal(outcome.certificateStatus, "INACTIVE");
  assert.deepStrictEqual(outcome.policies, ["P", '{"Version":"2012-10-17"}']);
});

Deno.test("evaluateTemplate() names what is wrong", () => {
  const cases: [unknown, string][] = [
    [{ Ref: "Nope" }, 'Cannot evaluate template: Ref names unknown parameter "Nope"'],
    [
      { "Fn::Sub": "${Undeclared}" },
      'Cannot evaluate template: Fn::Sub names unknown variable "Undeclared"',
    ],
    [{ "Fn::Select": [5, ["a"]] }, "Cannot evaluate template: Fn::Select index 5 is out of range"],
    [{ "Fn::If": ["c", "a", "b"] }, "Cannot evaluate template: Fn::If is not supported"],
    [
      { "Fn::Join": ["", ["a/b"]] },
      'Cannot evaluate template: resource "thing" has ThingName "a/b", not 1-128 letters, digits, ":", "_" or "-"',
    ],
  ];
  for (const [name, message] of cases) {
    assert.throws(
      () => evaluateTemplate({ Resources: thing(name) }, {}),
      new TemplateError(message),
    );
  }
  assert.throws(
    () => evaluateTemplate({ Resources: { x: { Type: "AWS::S3::Bucket" } } }, {}),
    /unsupported Type "AWS::S3::Bucket"/,
  );
});
