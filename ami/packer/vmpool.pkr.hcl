# The vmpool streaming VM: Ubuntu 22.04 with Xvfb, OBS (headless), Nimble, Node 22, the show
# server and the vmpool agent, each a systemd unit. Build the agent bundle first:
#   npm run build -w @vmpool/agent
#   packer init ami/packer && packer build -var region=us-east-1 ami/packer

packer {
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = ">= 1.3.0"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "instance_type" {
  type    = string
  default = "t3.large"
}

variable "show_server_repo" {
  type        = string
  description = "Git URL of the show server (gymnastics-graphics)."
  default     = "https://github.com/Isaac-Hammett/gymnastics-graphics.git"
}

variable "show_server_ref" {
  type    = string
  default = "main"
}

variable "node_version" {
  type    = string
  default = "22.12.0"
}

variable "ami_version" {
  type    = string
  default = "dev"
}

source "amazon-ebs" "vmpool" {
  region        = var.region
  instance_type = var.instance_type
  ami_name      = "vmpool-streaming-${var.ami_version}-{{timestamp}}"
  ssh_username  = "ubuntu"

  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"] # Canonical
    most_recent = true
  }

  # The agent reads its identity through IMDSv2 only.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = 60
    volume_type           = "gp3"
    delete_on_termination = true
  }

  tags = {
    Name      = "vmpool-streaming-${var.ami_version}"
    Project   = "gymnastics-graphics"
    ManagedBy = "vm-pool-manager"
  }
}

build {
  sources = ["source.amazon-ebs.vmpool"]

  # Directory uploads need their destination to exist.
  provisioner "shell" {
    inline = ["mkdir -p /tmp/vmpool-units /tmp/vmpool-config /tmp/vmpool-bin"]
  }

  provisioner "file" {
    source      = "${path.root}/../../agent/dist/agent.mjs"
    destination = "/tmp/vmpool-agent.mjs"
  }

  provisioner "file" {
    source      = "${path.root}/../systemd/"
    destination = "/tmp/vmpool-units"
  }

  provisioner "file" {
    source      = "${path.root}/../config/"
    destination = "/tmp/vmpool-config"
  }

  # Root-owned wrappers the agent runs through sudo (provision.sh installs them 0755 root).
  provisioner "file" {
    source      = "${path.root}/../bin/"
    destination = "/tmp/vmpool-bin"
  }

  provisioner "file" {
    source      = "${path.root}/../scripts/vmpool-boot.sh"
    destination = "/tmp/vmpool-boot.sh"
  }

  provisioner "shell" {
    script          = "${path.root}/../scripts/provision.sh"
    execute_command = "sudo -E bash '{{ .Path }}'"
    environment_vars = [
      "NODE_VERSION=${var.node_version}",
      "SHOW_SERVER_REPO=${var.show_server_repo}",
      "SHOW_SERVER_REF=${var.show_server_ref}",
    ]
  }

  post-processor "manifest" {
    output = "packer-manifest.json"
  }
}
