"""An agency's scheme of the 索引号 of its published documents (workflow.index_numbers)."""

from django.db import migrations, models

import workflow.models


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0017_admin_role_manages_api_clients"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="index_number_scheme",
            field=models.CharField(
                default="{机构代码}-{年}-{序号:05}",
                help_text=(
                    "主动公开的文件首次公开时编排的索引号。占位符：{机构代码}、{年}（四位年份）、"
                    "{序号}（{序号:05} 补足5位）；其他文字照录，"
                    "例如 11140000012345678X/{年}-{序号:05}。"
                    "修改后只影响以后公开的文件，已编的索引号不变。"
                ),
                max_length=60,
                validators=[workflow.models.validate_index_number_scheme],
                verbose_name="索引号编排规则",
            ),
        ),
    ]
