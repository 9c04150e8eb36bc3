-- The sandbox's kindergarten LMS (lms_*) and voucher registry (vr_*) tables.
-- Tests and the demo generator change a feed with SQL on these tables.
CREATE TABLE vr_region (
    code VARCHAR(10) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    emitent_bin CHAR(12) NOT NULL,
    emitent_name VARCHAR(300) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE vr_provider (
    bin CHAR(12) NOT NULL PRIMARY KEY,
    name VARCHAR(300) NOT NULL,
    region_code VARCHAR(10) NOT NULL,
    funding_model VARCHAR(10) NOT NULL,
    lms_name VARCHAR(100) NOT NULL,
    estimate_monthly DECIMAL(14, 2) NULL,
    address VARCHAR(300) NOT NULL,
    KEY ix_vr_provider_region (region_code)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE vr_norm (
    region_code VARCHAR(10) NOT NULL,
    age_group VARCHAR(10) NOT NULL,
    group_type VARCHAR(20) NOT NULL,
    monthly_amount DECIMAL(12, 2) NOT NULL,
    PRIMARY KEY (region_code, age_group, group_type)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE vr_voucher (
    voucher_id VARCHAR(20) NOT NULL PRIMARY KEY,
    iin CHAR(12) NOT NULL,
    bin CHAR(12) NOT NULL,
    status VARCHAR(20) NOT NULL,
    issued_on DATE NOT NULL,
    KEY ix_vr_voucher_bin (bin)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE vr_risk_flag (
    flag_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(30) NOT NULL,
    bin CHAR(12) NULL,
    iin CHAR(12) NULL,
    flagged_on DATE NOT NULL,
    resolved_on DATE NULL,
    detail VARCHAR(300) NOT NULL DEFAULT ''
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE vr_act (
    act_number VARCHAR(40) NOT NULL PRIMARY KEY,
    bin CHAR(12) NOT NULL,
    period CHAR(7) NOT NULL,
    total DECIMAL(14, 2) NOT NULL,
    data_sha256 CHAR(64) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'generated',
    generated_on DATE NOT NULL,
    reconciled_on DATE NULL,
    signed_on DATE NULL,
    invoiced_on DATE NULL,
    paid_on DATE NULL,
    KEY ix_vr_act_period (period)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE lms_contract (
    contract_id VARCHAR(40) NOT NULL PRIMARY KEY,
    bin CHAR(12) NOT NULL,
    iin CHAR(12) NOT NULL,
    child_name VARCHAR(200) NOT NULL,
    group_name VARCHAR(100) NOT NULL,
    group_type VARCHAR(20) NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NULL,
    KEY ix_lms_contract_bin (bin)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Raw register rows as the LMS holds them: bad rows included on purpose.
CREATE TABLE lms_mark (
    mark_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bin CHAR(12) NOT NULL,
    iin VARCHAR(20) NOT NULL,
    mark_date DATE NOT NULL,
    code VARCHAR(30) NOT NULL,
    document TINYINT NULL,
    KEY ix_lms_mark_day (bin, mark_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
