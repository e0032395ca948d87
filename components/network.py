"""The stack's VPC: public and private subnets per Availability Zone, egress, and endpoints."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import NetworkSettings

# Interface endpoints get private DNS so the SDKs and the ECS agent reach them by their usual names.
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")

# DescribeAvailabilityZones also returns Local Zones and Wavelength Zones that the account opted in
# to. Their `opt-in-status` is `opted-in`, and an Availability Zone's is always `opt-in-not-required`
# (the DescribeAvailabilityZones filter and AvailabilityZone.OptInStatus docs in botocore's EC2 model).
AVAILABILITY_ZONES_ONLY = [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]


@dataclass(frozen=True)
class NetworkArgs:
    """Inputs of a `Network`."""

    settings: NetworkSettings
    region: str
    tags: dict[str, str]


class Network(pulumi.ComponentResource):
    """A VPC with one public and one private subnet in each of N Availability Zones, or an existing one."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("storefront:index:Network", name, None, opts)
        settings = args.settings
        existing = settings.existing

        if existing is None:
            self._build_vpc(name, args)
        else:
            self.vpc_id: pulumi.Input[str] = existing.vpc_id
            self.public_subnet_ids: pulumi.Input[list[str]] = list(existing.public_subnet_ids)
            self.private_subnet_ids: pulumi.Input[list[str]] = list(existing.private_subnet_ids)
            self._private_route_table_ids: list[pulumi.Input[str]] = list(existing.private_route_table_ids)

        self._create_endpoints(name, args)

        self.tasks_in_public_subnets = settings.task_subnets == "public"
        self.task_subnet_ids = self.public_subnet_ids if self.tasks_in_public_subnets else self.private_subnet_ids
        self.register_outputs({
            "vpcId": self.vpc_id,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
        })

    def _build_vpc(self, name: str, args: NetworkArgs) -> None:
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        zone_count = settings.availability_zones
        blocks = list(ipaddress.IPv4Network(settings.cidr_block).subnets(prefixlen_diff=4))

        zones = aws.get_availability_zones_output(
            state="available",
            filters=AVAILABILITY_ZONES_ONLY,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        zone_names = zones.names.apply(lambda names: _first_zones(names, zone_count, args.region))

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=settings.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**args.tags, "Name": name},
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=args.tags, opts=child)
        public_routes = aws.ec2.RouteTable(
            f"{name}-public-routes",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags=args.tags,
            opts=child,
        )

        public_subnets: list[aws.ec2.Subnet] = []
        private_subnets: list[aws.ec2.Subnet] = []
        private_route_tables: list[aws.ec2.RouteTable] = []
        for index in range(zone_count):
            zone = zone_names.apply(lambda names, position=index: names[position])
            public = aws.ec2.Subnet(
                f"{name}-public-{index}",
                vpc_id=vpc.id,
                cidr_block=str(blocks[index]),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={**args.tags, "Name": f"{name}-public-{index}", "Tier": "public"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}-association", subnet_id=public.id, route_table_id=public_routes.id, opts=child
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=vpc.id,
                cidr_block=str(blocks[8 + index]),
                availability_zone=zone,
                tags={**args.tags, "Name": f"{name}-private-{index}", "Tier": "private"},
                opts=child,
            )
            routes = []
            if settings.nat_gateways == "one-per-az":
                address = aws.ec2.Eip(f"{name}-nat-{index}-ip", domain="vpc", tags=args.tags, opts=child)
                nat = aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    subnet_id=public.id,
                    allocation_id=address.allocation_id,
                    tags=args.tags,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
                )
                routes = [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}]
            private_routes = aws.ec2.RouteTable(
                f"{name}-private-{index}-routes", vpc_id=vpc.id, routes=routes, tags=args.tags, opts=child
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}-association", subnet_id=private.id, route_table_id=private_routes.id, opts=child
            )
            public_subnets.append(public)
            private_subnets.append(private)
            private_route_tables.append(private_routes)

        self.vpc_id = vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in public_subnets])
        self.private_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in private_subnets])
        self._private_route_table_ids = [table.id for table in private_route_tables]

    def _create_endpoints(self, name: str, args: NetworkArgs) -> None:
        endpoints = args.settings.vpc_endpoints
        child = pulumi.ResourceOptions(parent=self)
        if "s3" in endpoints:
            # ECR stores image layers in S3, and the gateway endpoint serves them to private subnets.
            aws.ec2.VpcEndpoint(
                f"{name}-s3-endpoint",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{args.region}.s3",
                vpc_endpoint_type="Gateway",
                route_table_ids=self._private_route_table_ids,
                tags=args.tags,
                opts=child,
            )
        interface = [endpoint for endpoint in INTERFACE_ENDPOINTS if endpoint in endpoints]
        if not interface:
            return
        security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=self.vpc_id,
            description="HTTPS from inside the VPC to interface endpoints",
            tags=args.tags,
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=security_group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=args.settings.cidr_block,
            opts=child,
        )
        for endpoint in interface:
            aws.ec2.VpcEndpoint(
                f"{name}-{endpoint.replace('.', '-')}-endpoint",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{args.region}.{endpoint}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[security_group.id],
                tags=args.tags,
                opts=child,
            )


def _first_zones(names: list[str], count: int, region: str) -> list[str]:
    if len(names) < count:
        # The message reports what the lookup returned, which under the offline plan's mocks is
        # not the Region's real zone list.
        found = ", ".join(sorted(names)) or "none"
        raise pulumi.RunError(
            f"storefront:network.availabilityZones is {count}, but the Availability Zone lookup for "
            f"{region} returned {len(names)} available zones that need no opt-in ({found}). "
            "Lower storefront:network.availabilityZones or deploy to another Region."
        )
    return sorted(names)[:count]
