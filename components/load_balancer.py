"""The stack's internet-facing Application Load Balancer and its listeners."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import LoadBalancerSettings


@dataclass(frozen=True)
class LoadBalancerArgs:
    """Inputs of a `LoadBalancer`."""

    settings: LoadBalancerSettings
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: pulumi.Input[list[str]]
    protect: bool
    tags: dict[str, str]


class LoadBalancer(pulumi.ComponentResource):
    """An internet-facing ALB that routes by path to target groups.

    It accepts HTTP, and HTTPS only when a certificate is configured. The ALB's autonamed name is
    `<name>-alb-` plus 7 characters, and ELB allows at most 32 (CreateLoadBalancer `Name` docs in
    botocore's ELBv2 model), so `name` must be at most 20 characters.
    """

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("storefront:index:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        certificate = args.settings.certificate_arn

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            # GroupDescription has no update API (pulumi-aws `ec2/security_group.py` docstring), so
            # new text would replace the group. The text stays as it was, even where 443 is closed.
            description="Load balancer: HTTP and HTTPS from the internet",
            tags=args.tags,
            opts=child,
        )
        # An HTTP-only load balancer has no listener on 443, so the port stays closed.
        ports = (80, 443) if certificate is not None else (80,)
        for port in ports:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-internet-{port}",
                security_group_id=self.security_group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4="0.0.0.0/0",
                opts=child,
            )
        # The ALB only talks to targets inside the VPC.
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-vpc",
            security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=0,
            to_port=65535,
            cidr_ipv4=args.vpc_cidr,
            opts=child,
        )

        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=False,
            subnets=args.subnet_ids,
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.protect,
            tags=args.tags,
            opts=child,
        )

        not_found = {
            "type": "fixed-response",
            "fixed_response": {"content_type": "text/plain", "message_body": "Not found", "status_code": "404"},
        }
        if certificate is None:
            self.https = False
            self.listener = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[not_found],
                opts=child,
            )
            pulumi.log.warn(
                "The load balancer serves plain HTTP because no certificate is configured. Set "
                "storefront:loadBalancer.certificateArn to an ACM certificate ARN to serve HTTPS.",
                self,
            )
        else:
            self.https = True
            aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[{
                    "type": "redirect",
                    "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
                }],
                opts=child,
            )
            self.listener = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.load_balancer.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=args.settings.ssl_policy,
                certificate_arn=certificate,
                default_actions=[not_found],
                opts=child,
            )

        scheme = "https" if self.https else "http"
        self.url = pulumi.Output.concat(scheme, "://", self.load_balancer.dns_name)
        self.register_outputs({"url": self.url, "https": self.https})
